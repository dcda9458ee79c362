"""The item bank browser: the knowledge-point tree, a point's items with answers, staff only."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.web.clients import logged_in
from yincai.accounts.models import Role, UserAccount
from yincai.app import create_app
from yincai.config import Settings
from yincai.db import make_engine
from yincai.domain.models import Item, ItemKp, KnowledgePoint, KpPrerequisite

DEMO_PASSWORD = "yincai-demo-2026"


def _username(session: Session, role: Role) -> str:
    found = session.scalars(
        select(UserAccount.username).where(UserAccount.role == role).order_by(UserAccount.id)
    ).first()
    assert found is not None
    return found


def test_teacher_browses_the_tree_and_a_points_items(demo_settings: Settings) -> None:
    engine = make_engine(demo_settings)
    with Session(engine) as session:
        teacher = _username(session, Role.TEACHER)
        kp_id = session.scalars(
            select(KpPrerequisite.knowledge_point_id)
            .join(ItemKp, ItemKp.knowledge_point_id == KpPrerequisite.knowledge_point_id)
            .order_by(KpPrerequisite.knowledge_point_id)
        ).first()
        assert kp_id is not None
        point = session.get(KnowledgePoint, kp_id)
        prerequisite = session.scalars(
            select(KnowledgePoint)
            .join(KpPrerequisite, KpPrerequisite.prerequisite_id == KnowledgePoint.id)
            .where(KpPrerequisite.knowledge_point_id == kp_id)
        ).first()
        item = session.scalars(
            select(Item).join(ItemKp).where(ItemKp.knowledge_point_id == kp_id).order_by(Item.code)
        ).first()
        n_items = session.scalar(
            select(func.count()).select_from(ItemKp).where(ItemKp.knowledge_point_id == kp_id)
        )
        assert point is not None and prerequisite is not None and item is not None
    engine.dispose()
    with TestClient(create_app(demo_settings)) as client:
        logged_in(client, teacher, DEMO_PASSWORD)
        tree = client.get(f"/itembank?subject_id={point.subject_id}")  # the demo has five
        page = client.get(f"/itembank?kp_id={kp_id}")
        missing = client.get("/itembank?kp_id=999999")
    assert tree.status_code == 200 and point.name in tree.text
    assert page.status_code == 200
    assert page.text.count('<div class="item">') == n_items
    assert item.code in page.text and "答案" in page.text
    assert f'href="/itembank?kp_id={prerequisite.id}"' in page.text
    assert missing.status_code == 404


def test_students_and_parents_cannot_browse_the_item_bank(demo_settings: Settings) -> None:
    engine = make_engine(demo_settings)
    with Session(engine) as session:
        users = [_username(session, Role.STUDENT), _username(session, Role.PARENT)]
    engine.dispose()
    for username in users:
        with TestClient(create_app(demo_settings)) as client:
            logged_in(client, username, DEMO_PASSWORD)
            assert client.get("/itembank").status_code == 403
