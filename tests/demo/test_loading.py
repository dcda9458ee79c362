"""The demo's content comes in through the hub's item-bank importer: each subject's packaged
curriculum and drawn item bank land in the database exactly as the simulation read them, the
curriculum runs forward (prerequisites taught earlier), and importing the content again changes
nothing."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from importlib import resources

import numpy as np
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from tests.conftest import DEMO_STUDENTS
from yincai.config import Settings
from yincai.db import make_engine, session_scope
from yincai.demo.curriculum import (
    MATH_CURRICULUM,
    KnowledgePointSpec,
    junior_math_curriculum,
    load_curriculum,
    points_of,
)
from yincai.demo.itembank import ItemSpec
from yincai.demo.loading import ITEM_FILE_NAME, ORIGIN
from yincai.demo.semester import point_curriculum
from yincai.demo.subjects import OTHER_SUBJECTS, SUBJECTS, DemoSubject
from yincai.demo.truth import load_ground_truth, replay_item_bank
from yincai.domain.models import (
    ImportBatch,
    Item,
    ItemKp,
    KnowledgePoint,
    KpLevel,
    KpPrerequisite,
    Subject,
)
from yincai.hub import service as hub_service

Row = tuple[object, ...]


def _digest(rows: Iterable[Row]) -> str:
    lines = sorted(json.dumps(row, ensure_ascii=False) for row in rows)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def _spec_curriculum(nodes: Sequence[KnowledgePointSpec]) -> list[Row]:
    return [
        (n.code, n.name, n.level, n.parent_code, n.grade or None, n.semester or None, n.order,
         sorted(n.prerequisites))
        for n in nodes
    ]  # fmt: skip


def _stored_curriculum(session: Session, subject: str | None = None) -> list[Row]:
    parent = aliased(KnowledgePoint)
    codes = dict(session.execute(select(KnowledgePoint.id, KnowledgePoint.code)).all())
    links: dict[str, list[str]] = defaultdict(list)
    for kp_id, prerequisite_id in session.execute(
        select(KpPrerequisite.knowledge_point_id, KpPrerequisite.prerequisite_id)
    ):
        links[codes[kp_id]].append(codes[prerequisite_id])
    query = select(KnowledgePoint, parent.code).outerjoin(
        parent, parent.id == KnowledgePoint.parent_id
    )
    if subject is not None:
        query = query.join(Subject, Subject.id == KnowledgePoint.subject_id).where(
            Subject.code == subject
        )
    return [
        (kp.code, kp.name, kp.level.value, parent_code, kp.grade_level, kp.semester, kp.position,
         sorted(links[kp.code]))
        for kp, parent_code in session.execute(query)
    ]  # fmt: skip


def _spec_bank(items: Sequence[ItemSpec]) -> list[Row]:
    return [
        (i.code, i.item_type, i.stem, list(i.options), i.answer, i.full_score, i.grade,
         sorted([code, round(weight, 6)] for code, weight in i.kp_weights))
        for i in items
    ]  # fmt: skip


def _stored_bank(session: Session, subject: str) -> list[Row]:
    codes = dict(session.execute(select(KnowledgePoint.id, KnowledgePoint.code)).all())
    tags: dict[int, list[list[object]]] = defaultdict(list)
    for item_id, kp_id, weight in session.execute(
        select(ItemKp.item_id, ItemKp.knowledge_point_id, ItemKp.weight)
    ):
        tags[item_id].append([codes[kp_id], round(weight, 6)])
    return [
        (i.code, i.item_type.value, i.stem, list(i.options), i.answer, i.full_score, i.grade_level,
         sorted(tags[i.id]))
        for i in session.scalars(
            select(Item).join(Subject, Subject.id == Item.subject_id).where(Subject.code == subject)
        )
    ]  # fmt: skip


@pytest.mark.parametrize("subject", SUBJECTS, ids=[s.code for s in SUBJECTS])
def test_demo_database_holds_the_curriculum_and_bank_the_simulation_used(
    demo_settings: Settings, subject: DemoSubject
) -> None:
    truth = load_ground_truth(demo_settings.ground_truth_path, subject.code)
    nodes = load_curriculum(subject.curriculum_source)
    bank = replay_item_bank(truth.seed, DEMO_STUDENTS, subject.code)
    engine = make_engine(demo_settings)
    with session_scope(engine) as session:
        curriculum = _stored_curriculum(session, subject.code)
        items = _stored_bank(session, subject.code)
    engine.dispose()
    assert sorted(row[0] for row in curriculum) == sorted(node.code for node in nodes)
    assert _digest(curriculum) == _digest(_spec_curriculum(nodes))
    assert sorted(row[0] for row in items) == sorted(item.code for item in bank)
    assert _digest(items) == _digest(_spec_bank(bank))
    assert truth.kp_codes == [node.code for node in points_of(nodes)]
    assert truth.item_codes == [item.code for item in bank]


def test_demo_imports_each_subject_s_curriculum_and_bank_through_the_importer(
    demo_settings: Settings,
) -> None:
    engine = make_engine(demo_settings)
    with session_scope(engine) as session:
        imports = session.execute(select(ImportBatch.file_name, ImportBatch.origin)).all()
    engine.dispose()
    expected = [(MATH_CURRICULUM.name, ORIGIN), (ITEM_FILE_NAME, ORIGIN)]
    for subject in OTHER_SUBJECTS:
        expected += [("curriculum.yaml", ORIGIN), (f"demo-items-{subject.folder}.yaml", ORIGIN)]
    assert sorted(imports) == sorted(expected)


def test_demo_prerequisites_exist_and_are_taught_earlier(demo_settings: Settings) -> None:
    engine = make_engine(demo_settings)
    with session_scope(engine) as session:
        kps = {kp.id: kp for kp in session.scalars(select(KnowledgePoint))}
        links = session.execute(select(KpPrerequisite)).scalars().all()
        tags = session.execute(select(ItemKp)).scalars().all()
        item_grades = dict(session.execute(select(Item.id, Item.grade_level)).all())
    engine.dispose()

    def when(kp: KnowledgePoint) -> tuple[int, int, int]:
        assert kp.grade_level is not None and kp.semester is not None, kp.code
        return kp.grade_level, kp.semester, kp.position

    assert len(links) >= len([kp for kp in kps.values() if kp.level is KpLevel.POINT]) // 2
    for link in links:
        point, prerequisite = kps[link.knowledge_point_id], kps[link.prerequisite_id]
        assert point.level is prerequisite.level is KpLevel.POINT
        assert when(prerequisite) < when(point), (prerequisite.code, point.code)
    for kp in kps.values():  # sections and points are taught in their chapter's term
        if kp.level in (KpLevel.SECTION, KpLevel.POINT):
            parent = kps[kp.parent_id or 0]
            assert (kp.grade_level, kp.semester) == (parent.grade_level, parent.semester)
            assert parent.position < kp.position
    weights: dict[int, float] = defaultdict(float)
    tagged: set[int] = set()
    for tag in tags:
        kp = kps[tag.knowledge_point_id]
        assert kp.level is KpLevel.POINT
        assert kp.grade_level is not None and kp.grade_level <= (item_grades[tag.item_id] or 0)
        weights[tag.item_id] += tag.weight
        tagged.add(kp.id)
    assert set(weights) == set(item_grades)
    assert np.allclose(list(weights.values()), 1.0)
    assert tagged == {kp.id for kp in kps.values() if kp.level is KpLevel.POINT}


@pytest.mark.parametrize("subject", SUBJECTS, ids=[s.code for s in SUBJECTS])
def test_the_semester_teaches_each_grade_its_autumn_points_in_file_order(
    subject: DemoSubject,
) -> None:
    points = points_of(load_curriculum(subject.curriculum_source))
    curriculum = point_curriculum(points)
    index = {point.code: k for k, point in enumerate(points)}
    for grade in subject.grades:
        autumn = [k for k, p in enumerate(points) if (p.grade, p.semester) == (grade, 1)]
        weeks = [int(curriculum.teach_week[k]) for k in autumn]
        assert weeks[0] == 0 and weeks == sorted(weeks)
        for k in autumn:
            for code in points[k].prerequisites:
                if (points[index[code]].grade, points[index[code]].semester) == (grade, 1):
                    assert curriculum.teach_week[index[code]] <= curriculum.teach_week[k]
    spring = [k for k, p in enumerate(points) if p.semester == 2]
    assert spring and all(curriculum.teach_week[k] == -1 for k in spring)


def test_packaged_curriculum_imports_on_its_own_and_again_changes_nothing(
    session: Session,
) -> None:
    nodes = junior_math_curriculum()
    with resources.as_file(MATH_CURRICULUM) as path:
        first = hub_service.import_items(session, path=path)
        again = hub_service.import_items(session, path=path)
    assert first.counts["knowledge_point"].new == len(nodes)
    assert again.is_unchanged
    assert _digest(_stored_curriculum(session)) == _digest(_spec_curriculum(nodes))
