"""Lesson preparation's one door: draft a plan for a class and a knowledge point, save it, edit
it and confirm its sections, list a class's plans.

Who: the teachers of the class and the school's admins (``PLAN_ROLES``, within their scope);
district admins see classes but do not prepare their lessons. A draft reads the class's mastery
estimates and answers, so each draft is audited with the students whose data it used; a saved
plan holds class totals only, no student's name or number, so reading it is not.

The draft is made by rules from data (``lessons.plan.draft``); a configured language model may
reword its prose through the ``polish`` hook (``lessons.polish``), and every section stays marked
as the machine's until a person edits or confirms it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yincai.accounts.actors import Actor
from yincai.accounts.models import Role, UserAccount
from yincai.domain.models import KnowledgePoint, KpLevel, School, SchoolClass, Subject
from yincai.domain.queries import class_subjects
from yincai.errors import Invalid, NotFound
from yincai.governance import service as governance_service
from yincai.i18n import SOURCE_LANGUAGE, _
from yincai.lessons import data as lesson_data
from yincai.lessons.models import LessonPlanRow
from yincai.lessons.plan import (
    MAX_SECTION_CHARS,
    SECTION_KEYS,
    SECTION_TITLES,
    LessonPlan,
    Polish,
    draft,
    edited,
    identity,
)

PLAN_ROLES = (Role.TEACHER, Role.SCHOOL_ADMIN)


@dataclass(frozen=True)
class SavedPlan:
    plan_id: int
    plan: LessonPlan
    created_by: str | None
    created_at: datetime
    updated_by: str | None
    updated_at: datetime


@dataclass(frozen=True)
class PlanRow:
    plan_id: int
    title: str
    kp_name: str
    n_unconfirmed: int
    updated_at: datetime


@dataclass(frozen=True)
class ClassChoice:
    school_class_id: int
    class_name: str
    school_name: str
    n_plans: int


@dataclass(frozen=True)
class PointOption:
    kp_id: int
    code: str
    name: str
    group: str  # the chapter it belongs to


@dataclass(frozen=True)
class ClassLessons:
    """A class's lesson page: the points to choose from (the class's subjects) and its plans."""

    school_class_id: int
    class_name: str
    school_name: str
    subjects: list[tuple[str, list[PointOption]]]  # subject name, its points
    plans: list[PlanRow]


def _require(session: Session, actor: Actor, school_class_id: int) -> SchoolClass:
    """The class, if the actor may prepare its lessons (NotFound, Forbidden otherwise)."""
    governance_service.require_scope(session, actor=actor, school_class_id=school_class_id)
    governance_service.require_role(actor, *PLAN_ROLES)
    school_class = session.get(SchoolClass, school_class_id)
    assert school_class is not None  # require_scope raised NotFound otherwise
    return school_class


def _point(session: Session, kp_id: int) -> KnowledgePoint:
    point = session.get(KnowledgePoint, kp_id)
    if point is None:
        raise NotFound(_("知识点 {id} 不存在").format(id=kp_id), code="knowledge_point.not_found")
    if point.level is not KpLevel.POINT:
        raise Invalid(
            _("「{name}」是章节，请选择其中一个具体的知识点").format(name=point.name),
            code="lesson.not_a_point",
        )
    return point


def _display_name(actor: Actor) -> str:
    return actor.display_name if isinstance(actor, UserAccount) else str(actor)


def _account_id(actor: Actor) -> int | None:
    return actor.id if isinstance(actor, UserAccount) else None


def draft_plans(
    session: Session,
    *,
    actor: Actor,
    school_class_id: int,
    kp_ids: Sequence[int],
    language: str = SOURCE_LANGUAGE,
    polish: Polish = identity,
) -> list[LessonPlan]:
    """Drafts for several points of one class (each subject's data read once), in the order
    given; one audit row per subject naming the students whose data was used."""
    school_class = _require(session, actor, school_class_id)
    points = [_point(session, kp_id) for kp_id in kp_ids]
    loaded: dict[int, lesson_data.ClassSubject] = {}
    today = datetime.now(UTC).date()
    plans = []
    for point in points:
        if point.subject_id not in loaded:
            subject = session.get(Subject, point.subject_id)
            assert subject is not None  # a foreign key
            loaded[point.subject_id] = lesson_data.load(
                session, actor=actor, school_class=school_class, subject=subject
            )
            governance_service.audit(
                session,
                actor=actor,
                action="lesson_plan_draft",
                object_type="school_class",
                object_id=school_class_id,
                student_ids=loaded[point.subject_id].student_ids,
            )
        context = lesson_data.context(loaded[point.subject_id], point.id)
        plans.append(draft(context, drafted_on=today, language=language, polish=polish))
    return plans


def draft_plan(
    session: Session,
    *,
    actor: Actor,
    school_class_id: int,
    kp_id: int | None,
    language: str = SOURCE_LANGUAGE,
    polish: Polish = identity,
) -> LessonPlan:
    """The machine's draft of a lesson on ``kp_id`` for the class (audited)."""
    if kp_id is None:
        _require(session, actor, school_class_id)
        raise Invalid(_("请选择一个知识点"), code="lesson.no_point")
    return draft_plans(
        session,
        actor=actor,
        school_class_id=school_class_id,
        kp_ids=[kp_id],
        language=language,
        polish=polish,
    )[0]


def _checked_texts(texts: Mapping[str, str]) -> dict[str, str]:
    unknown = sorted(set(texts) - set(SECTION_KEYS))
    if unknown:
        raise Invalid(
            _("教案没有这些部分：{keys}").format(keys="、".join(unknown)), code="lesson.bad_section"
        )
    for key, text in texts.items():
        if len(text) > MAX_SECTION_CHARS:
            raise Invalid(
                _("「{section}」最多 {n} 个字符").format(
                    section=SECTION_TITLES[key], n=MAX_SECTION_CHARS
                ),
                code="lesson.section_too_long",
            )
    return dict(texts)


def save_plan(
    session: Session,
    *,
    actor: Actor,
    school_class_id: int,
    kp_id: int,
    texts: Mapping[str, str],
    confirmed: Iterable[str] = (),
    language: str = SOURCE_LANGUAGE,
    polish: Polish = identity,
) -> int:
    """Save a draft with the teacher's edits: the draft is made again from the same data, each
    section the teacher changed or confirmed becomes theirs; returns the new plan's id."""
    checked = _checked_texts(texts)
    plan = draft_plan(
        session,
        actor=actor,
        school_class_id=school_class_id,
        kp_id=kp_id,
        language=language,
        polish=polish,
    )
    now = datetime.now(UTC)
    plan = edited(plan, checked, _known(confirmed), by=_display_name(actor), at=now)
    row = LessonPlanRow(
        school_class_id=school_class_id,
        knowledge_point_id=kp_id,
        title=plan.title[:200],
        content=plan.to_json(),
        created_by=_account_id(actor),
        created_at=now,
        updated_by=_account_id(actor),
        updated_at=now,
    )
    session.add(row)
    session.flush()
    governance_service.audit(
        session, actor=actor, action="lesson_plan_save", object_type="lesson_plan", object_id=row.id
    )
    return row.id


def _known(confirmed: Iterable[str]) -> list[str]:
    keys = list(confirmed)
    if unknown := sorted(set(keys) - set(SECTION_KEYS)):
        raise Invalid(
            _("教案没有这些部分：{keys}").format(keys="、".join(unknown)), code="lesson.bad_section"
        )
    return keys


def _row(session: Session, actor: Actor, plan_id: int) -> LessonPlanRow:
    row = session.get(LessonPlanRow, plan_id)
    if row is None:
        raise NotFound(_("教案 {id} 不存在").format(id=plan_id), code="lesson_plan.not_found")
    _require(session, actor, row.school_class_id)
    return row


def update_plan(
    session: Session,
    *,
    actor: Actor,
    plan_id: int,
    texts: Mapping[str, str],
    confirmed: Iterable[str] = (),
) -> None:
    """Save a person's edits and confirmations of a saved plan."""
    row = _row(session, actor, plan_id)
    checked = _checked_texts(texts)
    now = datetime.now(UTC)
    plan = edited(
        LessonPlan.from_json(row.content),
        checked,
        _known(confirmed),
        by=_display_name(actor),
        at=now,
    )
    row.content = plan.to_json()  # a new value: the JSON column sees the change
    row.title = plan.title[:200]
    row.updated_by = _account_id(actor)
    row.updated_at = now
    session.flush()
    governance_service.audit(
        session, actor=actor, action="lesson_plan_save", object_type="lesson_plan", object_id=row.id
    )


def get_plan(session: Session, *, actor: Actor, plan_id: int) -> SavedPlan:
    """A saved plan (the class's teachers and school admins)."""
    row = _row(session, actor, plan_id)
    names = governance_service.display_names(session, [row.created_by, row.updated_by])
    return SavedPlan(
        plan_id=row.id,
        plan=LessonPlan.from_json(row.content),
        created_by=names.get(row.created_by) if row.created_by else None,
        created_at=row.created_at,
        updated_by=names.get(row.updated_by) if row.updated_by else None,
        updated_at=row.updated_at,
    )


def class_lessons(session: Session, *, actor: Actor, school_class_id: int) -> ClassLessons:
    """The points of the class's subjects to prepare a lesson on, and the class's saved plans."""
    school_class = _require(session, actor, school_class_id)
    subjects = []
    for choice in class_subjects(session, school_class_id=school_class_id):
        subject = session.scalar(select(Subject).where(Subject.code == choice.code))
        assert subject is not None
        every = {
            p.id: p
            for p in session.scalars(
                select(KnowledgePoint).where(KnowledgePoint.subject_id == subject.id)
            )
        }
        options = [
            PointOption(p.id, p.code, p.name, _chapter(every, p))
            for p in sorted(every.values(), key=lambda p: p.code)
            if p.level is KpLevel.POINT
        ]
        subjects.append((subject.name, options))
    rows = session.scalars(
        select(LessonPlanRow)
        .where(LessonPlanRow.school_class_id == school_class_id)
        .order_by(LessonPlanRow.updated_at.desc(), LessonPlanRow.id.desc())
    ).all()
    plans = []
    for row in rows:
        plan = LessonPlan.from_json(row.content)
        plans.append(PlanRow(row.id, row.title, plan.kp_name, plan.n_unconfirmed, row.updated_at))
    return ClassLessons(
        school_class_id=school_class_id,
        class_name=school_class.name,
        school_name=school_class.school.name,
        subjects=subjects,
        plans=plans,
    )


def _chapter(every: Mapping[int, KnowledgePoint], point: KnowledgePoint) -> str:
    """The name of the point's chapter (the highest node below the subject)."""
    node = point
    while node.parent_id is not None and every[node.parent_id].level is not KpLevel.SUBJECT:
        node = every[node.parent_id]
    return node.name


def my_classes(session: Session, *, actor: Actor) -> list[ClassChoice]:
    """The classes whose lessons the actor prepares, with how many plans each has."""
    governance_service.require_role(actor, *PLAN_ROLES)
    n_plans = (
        select(func.count())
        .where(LessonPlanRow.school_class_id == SchoolClass.id)
        .scalar_subquery()
    )
    rows = session.execute(
        select(SchoolClass.id, SchoolClass.name, School.name, n_plans)
        .join(School, School.id == SchoolClass.school_id)
        .where(SchoolClass.id.in_(governance_service.visible_class_ids(actor)))
        .order_by(School.code, SchoolClass.name)
    ).all()
    return [ClassChoice(i, name, school, int(n)) for i, name, school, n in rows]
