"""Pushing a preview quiz: the points a teacher may choose, the items picked from the bank."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from yincai.accounts.models import UserAccount
from yincai.classroom import access, data
from yincai.classroom.access import Actor
from yincai.classroom.models import ClassroomQuiz, Verdict
from yincai.classroom.verdicts import AUTO_MARKED, verdict
from yincai.domain.models import (
    Assessment,
    AssessmentClass,
    AssessmentItem,
    AssessmentKind,
    Item,
    ItemKp,
    ItemType,
    KnowledgePoint,
    KpLevel,
    School,
    SchoolClass,
    Subject,
)
from yincai.errors import Invalid
from yincai.governance import service as governance_service
from yincai.i18n import _

MAX_QUIZ_KPS = 3
MAX_QUIZ_ITEMS = 10
DEFAULT_QUIZ_ITEMS = 5


@dataclass(frozen=True)
class KpOption:
    code: str
    name: str
    subject_name: str


def kp_options(session: Session, actor: Actor, school_class: SchoolClass) -> list[KpOption]:
    """Point-level knowledge points of the actor's subjects up to the class's grade."""
    subject_ids = access.teachable_subject_ids(session, actor, school_class.id)
    grade = data.grade_level(session, school_class)
    rows = session.execute(
        select(KnowledgePoint.code, KnowledgePoint.name, Subject.name)
        .join(Subject, Subject.id == KnowledgePoint.subject_id)
        .where(
            KnowledgePoint.subject_id.in_(subject_ids),
            KnowledgePoint.level == KpLevel.POINT,
            (KnowledgePoint.grade_level.is_(None)) | (KnowledgePoint.grade_level <= grade),
        )
        .order_by(
            Subject.id, KnowledgePoint.grade_level, KnowledgePoint.position, KnowledgePoint.id
        )
    ).all()
    return [KpOption(str(c), str(n), str(s)) for c, n, s in rows]


def push_quiz(
    session: Session,
    *,
    actor: Actor,
    school_class_id: int,
    kp_codes: list[str],
    n_items: int = DEFAULT_QUIZ_ITEMS,
    due_at: datetime,
    now: datetime | None = None,
) -> int:
    """Set a preview quiz of auto-marked bank items on one to three knowledge points to the class,
    due when the lesson starts; returns its assessment id."""
    school_class = access.class_staff(session, actor, school_class_id)
    moment = data.now_or(now)
    codes = sorted(set(kp_codes))
    if not 1 <= len(codes) <= MAX_QUIZ_KPS:
        raise Invalid(
            _("请选择 1 到 {n} 个知识点").format(n=MAX_QUIZ_KPS), code="classroom.kp_count"
        )
    if not 1 <= n_items <= MAX_QUIZ_ITEMS:
        raise Invalid(
            _("题数应在 1 到 {n} 之间").format(n=MAX_QUIZ_ITEMS), code="classroom.item_count"
        )
    if due_at.tzinfo is None or due_at <= moment:
        raise Invalid(_("上课时间应晚于现在"), code="classroom.due_in_past")
    kps = list(
        session.scalars(
            select(KnowledgePoint).where(
                KnowledgePoint.code.in_(codes), KnowledgePoint.level == KpLevel.POINT
            )
        )
    )
    if len(kps) != len(codes):
        raise Invalid(_("有的知识点不存在"), code="classroom.kp_unknown")
    subject_ids = {kp.subject_id for kp in kps}
    if len(subject_ids) != 1:
        raise Invalid(_("一次测验的知识点应属于同一学科"), code="classroom.kp_subjects")
    subject_id = subject_ids.pop()
    access.require_subject_teacher(session, actor, school_class_id, subject_id)
    grade = data.grade_level(session, school_class)
    items = _pick_items(session, [kp.id for kp in kps], grade, n_items, seed=school_class_id)
    if not items:
        raise Invalid(
            _("题库中没有这些知识点的可自动判分的题目（选择、判断、填空）"),
            code="classroom.no_items",
        )
    school = session.get(School, school_class.school_id)
    assert school is not None
    names = "、".join(kp.name for kp in sorted(kps, key=lambda k: k.code))
    assessment = Assessment(
        code=f"CQ-{school_class_id}-{moment:%Y%m%d%H%M%S%f}",
        name=f"课前测：{names}"[:100],
        kind=AssessmentKind.HOMEWORK,
        held_on=data.school_time(moment).date(),
        due_at=due_at.astimezone(UTC),
        subject_id=subject_id,
        grade_level=grade,
        district_id=school.district_id,
    )
    assessment.items = [
        AssessmentItem(item_id=item.id, position=k, label=str(k), full_score=item.full_score)
        for k, item in enumerate(items, start=1)
    ]
    session.add(assessment)
    session.flush()
    session.add(AssessmentClass(assessment_id=assessment.id, school_class_id=school_class_id))
    session.add(
        ClassroomQuiz(
            assessment_id=assessment.id,
            school_class_id=school_class_id,
            pushed_by=actor.id if isinstance(actor, UserAccount) else None,
            pushed_at=moment,
        )
    )
    governance_service.audit(
        session,
        actor=actor,
        action="classroom_quiz_push",
        object_type="assessment",
        object_id=assessment.id,
    )
    session.flush()
    return assessment.id


def _pick_items(
    session: Session, kp_ids: list[int], grade: int, n_items: int, *, seed: int
) -> list[Item]:
    """Auto-marked items on the points, up to the class's grade, shared out over the points in
    turn, item types mixed (a seeded shuffle: the same class gets the same pick). A fill-in item
    is set only if the equivalence rules can read its key (its key judged right against itself),
    so that a right answer is marked right."""
    tagged = session.execute(
        select(ItemKp.knowledge_point_id, Item)
        .join(Item, Item.id == ItemKp.item_id)
        .where(
            ItemKp.knowledge_point_id.in_(kp_ids),
            Item.item_type.in_(AUTO_MARKED),
            (Item.grade_level.is_(None)) | (Item.grade_level <= grade),
        )
        .order_by(ItemKp.knowledge_point_id, Item.id)
    ).all()
    by_kp: dict[int, list[Item]] = {kp: [] for kp in kp_ids}
    for kp, item in tagged:
        if item.item_type is not ItemType.FILL_IN or _is_readable(item.answer):
            by_kp[int(kp)].append(item)
    rng = random.Random(seed)
    for pool in by_kp.values():
        rng.shuffle(pool)
        pool.sort(key=lambda item: AUTO_MARKED.index(item.item_type))  # types in a fixed order
        pool[:] = _interleave_types(pool)
    chosen: list[Item] = []
    seen: set[int] = set()
    while len(chosen) < n_items and any(by_kp.values()):
        for kp in kp_ids:
            pool = by_kp[kp]
            while pool and pool[0].id in seen:
                pool.pop(0)
            if pool and len(chosen) < n_items:
                item = pool.pop(0)
                seen.add(item.id)
                chosen.append(item)
    return chosen


def _is_readable(key: str) -> bool:
    return verdict(ItemType.FILL_IN, key, key) is Verdict.RIGHT


def _interleave_types(pool: list[Item]) -> list[Item]:
    """One item of each type in turn, so a short quiz is not all one type."""
    groups: dict[ItemType, list[Item]] = {}
    for item in pool:
        groups.setdefault(item.item_type, []).append(item)
    ordered: list[Item] = []
    while any(groups.values()):
        for group in groups.values():
            if group:
                ordered.append(group.pop(0))
    return ordered
