"""Lesson plans on the demo district: a draft for every knowledge point of the curriculum,
grounded in the bank and the class's data; saving, editing and confirming; who may do it."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.governance.demo_actors import DemoActors, audit_rows_since, last_audit_id
from yincai.accounts.actors import CLI
from yincai.diagnosis import service as diagnosis_service
from yincai.domain.models import (
    AssessmentItem,
    Item,
    ItemKp,
    KnowledgePoint,
    KpLevel,
    KpPrerequisite,
    Score,
    Student,
    Subject,
)
from yincai.errors import Forbidden, Invalid, NotFound
from yincai.governance.audit import students_shown
from yincai.lessons import service
from yincai.lessons.plan import SECTION_KEYS, Origin
from yincai.privacy import service as privacy_service


def _main_items(session: Session) -> dict[int, set[int]]:
    """Each point's items: those giving it at least half their tag weight."""
    weights: dict[int, list[tuple[int, float]]] = defaultdict(list)
    for item_id, kp_id, weight in session.execute(
        select(ItemKp.item_id, ItemKp.knowledge_point_id, ItemKp.weight)
    ):
        weights[item_id].append((kp_id, weight))
    found: dict[int, set[int]] = defaultdict(set)
    for item_id, tags in weights.items():
        total = sum(w for _kp, w in tags)
        for kp_id, weight in tags:
            if weight >= total / 2:
                found[kp_id].add(item_id)
    return found


def _neighbours(session: Session) -> dict[int, set[int]]:
    """Each point's prerequisites, dependants and siblings (same section)."""
    points = session.execute(
        select(KnowledgePoint.id, KnowledgePoint.parent_id).where(
            KnowledgePoint.level == KpLevel.POINT
        )
    ).all()
    found: dict[int, set[int]] = defaultdict(set)
    by_parent: dict[int | None, set[int]] = defaultdict(set)
    for kp_id, parent in points:
        by_parent[parent].add(kp_id)
    for kp_id, parent in points:
        found[kp_id] |= by_parent[parent] - {kp_id}
    for kp_id, needed in session.execute(
        select(KpPrerequisite.knowledge_point_id, KpPrerequisite.prerequisite_id)
    ):
        found[kp_id].add(needed)
        found[needed].add(kp_id)
    return found


def _cleared(session: Session, class_id: int) -> list[int]:
    students = list(session.scalars(select(Student.id).where(Student.school_class_id == class_id)))
    blocked = privacy_service.students_without_consent(
        session,
        students,
        privacy_service.ConsentPurpose.DIAGNOSIS,
        today=datetime.now(UTC).date(),
    )
    return sorted(set(students) - set(blocked))


def test_a_plan_drafts_for_every_point_of_the_curriculum_grounded_in_the_class_s_data(
    scoped_session: Session, actors: DemoActors
) -> None:
    session = scoped_session
    points = session.execute(
        select(KnowledgePoint.id, Subject.code)
        .join(Subject, Subject.id == KnowledgePoint.subject_id)
        .where(KnowledgePoint.level == KpLevel.POINT)
        .order_by(KnowledgePoint.code)
    ).all()
    assert len(points) >= 400  # five subjects
    before = last_audit_id(session)
    plans = service.draft_plans(
        session,
        actor=actors.teacher,
        school_class_id=actors.class_id,
        kp_ids=[kp_id for kp_id, _code in points],
    )
    assert [p.kp_id for p in plans] == [kp_id for kp_id, _code in points]
    main_items = _main_items(session)
    neighbours = _neighbours(session)
    cleared = _cleared(session, actors.class_id)
    n_levels_from_own = 0
    for plan in plans:
        assert [s.key for s in plan.sections] == list(SECTION_KEYS)
        assert all(s.text.strip() and s.origin is Origin.DATA for s in plan.sections), plan.kp_code
        own = main_items[plan.kp_id]
        allowed = own.union(*(main_items[k] for k in neighbours[plan.kp_id]))
        named = {item_id for s in plan.sections for item_id in s.item_ids}
        assert named <= allowed, plan.kp_code  # real bank items of the point or its neighbours
        assert {i.item_id for i in plan.items} == named
        f = plan.figures
        assert f.n_students == len(cleared)
        assert f.n_needs_work + f.n_basic + f.n_proficient + f.n_no_evidence == f.n_students
        assert f.n_point_items == len(own)
        exercises = set(plan.section("exercises").item_ids)
        if len(own) >= 3:
            assert len(exercises) >= 3 and exercises <= own
            n_levels_from_own += 1
        elif allowed:
            assert exercises
    assert n_levels_from_own >= len(plans) // 2
    # the class's weak points are the diagnosis's estimates of this class's students
    table = diagnosis_service.class_mastery(
        session, actor=actors.teacher, school_class_id=actors.class_id, subject_code="MATH"
    )
    rows = [r for r, s in enumerate(table.student_ids) if s in set(cleared)]
    n_weak_points = 0
    for plan in (p for p in plans if p.subject_code == "MATH"):
        k = table.kp_ids.index(plan.kp_id)
        seen = [r for r in rows if table.n_evidence[r, k] > 0]
        assert plan.figures.n_no_evidence == len(rows) - len(seen)
        assert plan.figures.n_needs_work == sum(table.mastery[r, k] < 0.5 for r in seen)
        if seen:
            assert plan.figures.mean_level == pytest.approx(table.mastery[seen, k].mean())
            n_weak_points += plan.figures.n_needs_work > 0
    assert n_weak_points > 0
    # the most common wrong answers are the class's own answers
    busiest = max(plans, key=lambda p: len(p.section("mistakes").item_ids))
    item_id = busiest.section("mistakes").item_ids[0]
    answers = session.execute(
        select(Score.raw_answer, Score.score, AssessmentItem.full_score)
        .join(AssessmentItem, AssessmentItem.id == Score.assessment_item_id)
        .join(Student, Student.id == Score.student_id)
        .where(AssessmentItem.item_id == item_id, Student.school_class_id == actors.class_id)
    ).all()
    wrong: dict[str, int] = defaultdict(int)
    for raw, score, full in answers:
        if raw and raw.strip() and score < full:
            wrong[raw.strip()] += 1
    count = max(wrong.values())
    top = min(answer for answer, n in wrong.items() if n == count)  # the 讲评's tie rule
    assert f"{top}（{count} 人次）" in busiest.section("mistakes").text
    # one audit row per subject, naming the students whose estimates were read
    events = [e for e in audit_rows_since(session, before) if e.action == "lesson_plan_draft"]
    assert len(events) == len({code for _kp, code in points})
    shown = students_shown(session, [events[0].id])
    assert sorted(shown[events[0].id]) == cleared


def _point(session: Session, subject: str = "MATH") -> int:
    kp_id = session.scalar(
        select(KnowledgePoint.id)
        .join(Subject, Subject.id == KnowledgePoint.subject_id)
        .join(ItemKp, ItemKp.knowledge_point_id == KnowledgePoint.id)
        .join(Item, Item.id == ItemKp.item_id)
        .where(Subject.code == subject, KnowledgePoint.level == KpLevel.POINT)
        .order_by(KnowledgePoint.code)
    )
    assert kp_id is not None
    return kp_id


def test_a_saved_plan_keeps_the_teacher_s_edits_and_confirmations(
    scoped_session: Session, actors: DemoActors
) -> None:
    session = scoped_session
    kp_id = _point(session)
    plan_id = service.save_plan(
        session,
        actor=actors.teacher,
        school_class_id=actors.class_id,
        kp_id=kp_id,
        texts={"homework": "练习册第 12 页 1–5 题。"},
        confirmed=["objectives"],
    )
    saved = service.get_plan(session, actor=actors.teacher, plan_id=plan_id)
    plan = saved.plan
    assert plan.section("homework").text == "练习册第 12 页 1–5 题。"
    assert plan.section("homework").origin is Origin.TEACHER
    assert plan.section("objectives").is_confirmed
    assert plan.section("objectives").confirmed_by == actors.teacher.display_name
    assert plan.section("exercises").origin is Origin.DATA
    assert plan.n_unconfirmed == len(SECTION_KEYS) - 2
    assert saved.created_by == actors.teacher.display_name
    service.update_plan(
        session,
        actor=actors.teacher,
        plan_id=plan_id,
        texts={"exercises": plan.section("exercises").text},  # unchanged
        confirmed=["exercises", "mistakes"],
    )
    after = service.get_plan(session, actor=actors.teacher, plan_id=plan_id).plan
    assert after.section("exercises").is_confirmed and after.section("mistakes").is_confirmed
    assert after.section("exercises").text == plan.section("exercises").text
    assert after.n_unconfirmed == len(SECTION_KEYS) - 4
    assert after.figures == plan.figures  # a saved plan keeps the figures it was drafted with
    listed = service.class_lessons(session, actor=actors.teacher, school_class_id=actors.class_id)
    assert [(p.plan_id, p.n_unconfirmed) for p in listed.plans][:1] == [(plan_id, 4)]
    assert any(options for _name, options in listed.subjects)
    with pytest.raises(Invalid):
        service.update_plan(
            session, actor=actors.teacher, plan_id=plan_id, texts={"homework": "题" * 6001}
        )
    with pytest.raises(Invalid):
        service.update_plan(
            session, actor=actors.teacher, plan_id=plan_id, texts={}, confirmed=["preface"]
        )
    with pytest.raises(NotFound):
        service.get_plan(session, actor=actors.teacher, plan_id=plan_id + 1000)


def test_only_the_class_s_teachers_and_school_admins_prepare_its_lessons(
    scoped_session: Session, actors: DemoActors
) -> None:
    session = scoped_session
    kp_id = _point(session)
    with pytest.raises(Forbidden):  # district admins see the class but do not plan its lessons
        service.draft_plan(
            session, actor=actors.admin, school_class_id=actors.class_id, kp_id=kp_id
        )
    with pytest.raises(Forbidden):  # a class the teacher does not teach
        service.draft_plan(
            session, actor=actors.teacher, school_class_id=actors.other_class_id, kp_id=kp_id
        )
    other_plan = service.save_plan(
        session, actor=CLI, school_class_id=actors.other_class_id, kp_id=kp_id, texts={}
    )
    with pytest.raises(Forbidden):
        service.get_plan(session, actor=actors.teacher, plan_id=other_plan)
    with pytest.raises(Forbidden):
        service.update_plan(
            session, actor=actors.teacher, plan_id=other_plan, texts={}, confirmed=["homework"]
        )
    with pytest.raises(Forbidden):
        service.my_classes(session, actor=actors.admin)
    mine = service.my_classes(session, actor=actors.teacher)
    assert actors.class_id in {c.school_class_id for c in mine}
    chapter = session.scalar(
        select(KnowledgePoint.id).where(KnowledgePoint.level == KpLevel.CHAPTER)
    )
    assert chapter is not None
    with pytest.raises(Invalid):
        service.draft_plan(
            session, actor=actors.teacher, school_class_id=actors.class_id, kp_id=chapter
        )
    with pytest.raises(NotFound):
        service.draft_plan(
            session, actor=actors.teacher, school_class_id=actors.class_id, kp_id=10**8
        )
