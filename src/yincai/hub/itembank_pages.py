"""The item bank browser (staff only): the knowledge-point tree of a subject (chapters → sections →
points, with prerequisite links) and the items of a chosen point with stem, options, answer and
their statistics on the district's assessments. Maths in stems is drawn by ``reports.maths``
(mathtext → inline SVG, cached), so nothing is fetched from outside.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yincai.accounts.models import UserAccount
from yincai.domain.models import (
    Assessment,
    AssessmentItem,
    Item,
    ItemKp,
    KnowledgePoint,
    KpPrerequisite,
    Score,
    Subject,
)
from yincai.errors import NotFound
from yincai.governance import service as governance_service
from yincai.i18n import _
from yincai.reports.maths import page_text_html
from yincai.rules import item_type_label
from yincai.web.deps import CurrentUser, DbSession, FormId
from yincai.web.paging import paginate
from yincai.web.templating import templates

router = APIRouter(prefix="/itembank", include_in_schema=False)


@dataclass
class KpNode:
    id: int
    code: str
    name: str
    level: str
    children: list[KpNode] = field(default_factory=list)
    n_items: int = 0


@dataclass(frozen=True)
class ItemView:
    item: Item
    type_name: str
    weight: float
    n_answered: int
    score_rate: float | None


def kp_tree(session: Session, subject_id: int) -> list[KpNode]:
    """The subject's knowledge points as a forest, in curriculum order, with item counts."""
    points = session.scalars(
        select(KnowledgePoint)
        .where(KnowledgePoint.subject_id == subject_id)
        .order_by(KnowledgePoint.position, KnowledgePoint.code)
    ).all()
    counts = dict(
        session.execute(
            select(ItemKp.knowledge_point_id, func.count())
            .join(KnowledgePoint, KnowledgePoint.id == ItemKp.knowledge_point_id)
            .where(KnowledgePoint.subject_id == subject_id)
            .group_by(ItemKp.knowledge_point_id)
        ).all()
    )
    nodes = {
        kp.id: KpNode(kp.id, kp.code, kp.name, kp.level.value, n_items=int(counts.get(kp.id, 0)))
        for kp in points
    }
    roots: list[KpNode] = []
    for kp in points:
        parent = nodes.get(kp.parent_id) if kp.parent_id is not None else None
        (parent.children if parent else roots).append(nodes[kp.id])
    # The subject's own node only wraps the chapters: show the chapters at the top.
    if len(roots) == 1 and roots[0].level == "subject":
        return roots[0].children
    return roots


def item_views(session: Session, actor: UserAccount, kp_id: int) -> list[ItemView]:
    """The items of a knowledge point with their score rate on the district's assessments."""
    rows = session.execute(
        select(Item, ItemKp.weight)
        .join(ItemKp, ItemKp.item_id == Item.id)
        .where(ItemKp.knowledge_point_id == kp_id)
        .order_by(Item.code)
    ).all()
    item_ids = [item.id for item, _weight in rows]
    stats = {
        item_id: (int(n), float(earned or 0.0), float(possible or 0.0))
        for item_id, n, earned, possible in session.execute(
            select(
                AssessmentItem.item_id,
                func.count(Score.student_id),
                func.sum(Score.score),
                func.sum(AssessmentItem.full_score),
            )
            .join(Score, Score.assessment_item_id == AssessmentItem.id)
            .join(Assessment, Assessment.id == AssessmentItem.assessment_id)
            .where(
                AssessmentItem.item_id.in_(item_ids),
                Assessment.district_id == actor.district_id,
                Score.score.is_not(None),
            )
            .group_by(AssessmentItem.item_id)
        )
    }
    views = []
    for item, weight in rows:
        n, earned, possible = stats.get(item.id, (0, 0.0, 0.0))
        views.append(
            ItemView(
                item=item,
                type_name=item_type_label(item.item_type),
                weight=weight,
                n_answered=n,
                score_rate=earned / possible if possible > 0 else None,
            )
        )
    return views


@router.get("", response_class=HTMLResponse)
def itembank(
    request: Request,
    session: DbSession,
    user: CurrentUser,
    subject_id: FormId = None,
    kp_id: FormId = None,
) -> Response:
    """The knowledge-point tree and the items of the chosen point (staff)."""
    governance_service.require_role(user, *governance_service.STAFF_ROLES)
    subjects = session.scalars(
        select(Subject)
        .where(Subject.id.in_(select(KnowledgePoint.subject_id).distinct()))
        .order_by(Subject.code)
    ).all()
    selected = None
    if kp_id is not None:
        selected = session.get(KnowledgePoint, kp_id)
        if selected is None:
            raise NotFound(
                _("知识点 {id} 不存在").format(id=kp_id), code="knowledge_point.not_found"
            )
        subject_id = selected.subject_id
    if subject_id is None and subjects:
        subject_id = subjects[0].id
    prerequisites: list[KnowledgePoint] = []
    dependants: list[KnowledgePoint] = []
    if selected is not None:
        prerequisites = list(
            session.scalars(
                select(KnowledgePoint)
                .join(KpPrerequisite, KpPrerequisite.prerequisite_id == KnowledgePoint.id)
                .where(KpPrerequisite.knowledge_point_id == selected.id)
                .order_by(KnowledgePoint.code)
            )
        )
        dependants = list(
            session.scalars(
                select(KnowledgePoint)
                .join(KpPrerequisite, KpPrerequisite.knowledge_point_id == KnowledgePoint.id)
                .where(KpPrerequisite.prerequisite_id == selected.id)
                .order_by(KnowledgePoint.code)
            )
        )
    return templates.TemplateResponse(
        request,
        "itembank/itembank.html",
        {
            "subjects": subjects,
            "subject_id": subject_id,
            "tree": kp_tree(session, subject_id) if subject_id is not None else [],
            "selected": selected,
            "prerequisites": prerequisites,
            "dependants": dependants,
            "items": paginate(
                item_views(session, user, selected.id) if selected is not None else [],
                request.query_params,
            ),
            "maths": page_text_html,
        },
    )
