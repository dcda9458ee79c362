"""The practice capability's one door: practice sets for students and re-teaching plans for classes.

Mastery comes from the diagnosis's calibrated model (fitted once per process), applied to the
students' own history with partially credited items counted per score point (``estimates``).
Nothing is stored: sets and plans are computed on demand, as of any date.

Only students the privacy rule clears for diagnosis are practised on (under 14: a guardian's
consent in force): another student's set holds no items and says why, a single student's set
raises ConsentRequired, and re-teaching plans leave such students out.

Scope checks and the audit live here: every call takes the ``actor`` (the signed-in account, or
``SystemActor`` for the CLI and benchmarks) — a student's set for staff of the student, the
student and their parent; class sets and re-teaching plans for staff of the class. Every set made
is audited (``export_practice``) with the students it is for.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from yincai.consent import service as consent_service
from yincai.consent.models import ConsentPurpose
from yincai.diagnosis import service as diagnosis_service
from yincai.diagnosis.service import MasteryTable
from yincai.domain.models import School, SchoolClass, Student
from yincai.errors import Invalid, NotFound
from yincai.governance import service as governance_service
from yincai.i18n import _
from yincai.practice.assembly import build_diagnostic_items, build_practice_set
from yincai.practice.data import (
    BankItem,
    Catalogue,
    History,
    StudentInfo,
    load_catalogue,
    load_history,
    load_students,
    load_taught,
)
from yincai.practice.estimates import (
    FloatArray,
    IntArray,
    predicted_success,
)
from yincai.practice.plans import PracticeSet, ReteachPlan, ReteachPoint
from yincai.practice.reteach import ClassPoint, rank_reteach
from yincai.practice.selection import (
    DEFAULT_SUCCESS_BAND,
    CandidateItem,
    PointState,
    SelectionPolicy,
    select_practice,
)

__all__ = [
    "PracticeSet",
    "ReteachPlan",
    "class_practice",
    "class_practice_by_id",
    "focused_practice_sets",
    "practice_sets",
    "reteach_plan",
    "student_practice",
    "student_practice_by_id",
]

DIAGNOSIS = ConsentPurpose.DIAGNOSIS  # practice is built on the diagnosis
RECENTLY_CORRECT_DAYS = 30  # an item answered right within this many days is not set again
RECENTLY_TAUGHT_DAYS = 21
FULL_MARKS = 1.0 - 1e-9


def student_practice(
    session: Session,
    *,
    actor: governance_service.Actor,
    student_number: str,
    n_items: int = 10,
    success_band: tuple[float, float] = DEFAULT_SUCCESS_BAND,
    as_of: date | None = None,
    subject_code: str = "MATH",
) -> PracticeSet:
    """One student's personalised practice set, weakest points first."""
    found = list(
        session.scalars(select(Student.id).where(Student.student_number == student_number))
    )
    if not found:
        raise NotFound(
            _("学号 {student_number} 不存在").format(student_number=student_number),
            code="student.not_found",
        )
    if len(found) > 1:
        raise Invalid(
            _("学号 {student_number} 在多个区县重复").format(student_number=student_number),
            code="student.ambiguous",
        )
    return student_practice_by_id(
        session,
        actor=actor,
        student_id=found[0],
        n_items=n_items,
        success_band=success_band,
        as_of=as_of,
        subject_code=subject_code,
    )


def student_practice_by_id(
    session: Session,
    *,
    actor: governance_service.Actor,
    student_id: int,
    n_items: int = 10,
    success_band: tuple[float, float] = DEFAULT_SUCCESS_BAND,
    as_of: date | None = None,
    subject_code: str = "MATH",
) -> PracticeSet:
    """One student's practice set (for staff in scope, the student, the parent); audited."""
    governance_service.require_scope(session, actor=actor, student_id=student_id)
    consent_service.require_consent(
        session, student_id=student_id, purpose=DIAGNOSIS, today=_today()
    )
    made = _sets(
        session,
        actor=actor,
        student_ids=[student_id],
        n_items=n_items,
        success_band=success_band,
        as_of=as_of,
        subject_code=subject_code,
    )[0]
    governance_service.audit(
        session, actor=actor, action="export_practice", object_type="student", object_id=student_id
    )
    return made


def class_practice(
    session: Session,
    *,
    actor: governance_service.Actor,
    school_code: str,
    class_name: str,
    n_items: int = 10,
    success_band: tuple[float, float] = DEFAULT_SUCCESS_BAND,
    as_of: date | None = None,
    subject_code: str = "MATH",
) -> list[PracticeSet]:
    """A practice set for every student of a class, in student-number order; audited."""
    school_class = _school_class(session, school_code, class_name)
    return class_practice_by_id(
        session,
        actor=actor,
        school_class_id=school_class.id,
        n_items=n_items,
        success_band=success_band,
        as_of=as_of,
        subject_code=subject_code,
    )


def class_practice_by_id(
    session: Session,
    *,
    actor: governance_service.Actor,
    school_class_id: int,
    n_items: int = 10,
    success_band: tuple[float, float] = DEFAULT_SUCCESS_BAND,
    as_of: date | None = None,
    subject_code: str = "MATH",
) -> list[PracticeSet]:
    """A practice set for every student of a class (staff of the class; NotFound if the class
    has no students), audited with every student given a set."""
    _require_class_staff(session, actor, school_class_id)
    student_ids = list(
        session.scalars(
            select(Student.id)
            .where(Student.school_class_id == school_class_id)
            .order_by(Student.student_number)
        )
    )
    if not student_ids:
        raise NotFound(_("该班级没有学生"), code="school_class.empty")
    sets = _sets(
        session,
        actor=actor,
        student_ids=student_ids,
        n_items=n_items,
        success_band=success_band,
        as_of=as_of,
        subject_code=subject_code,
    )
    governance_service.audit(
        session,
        actor=actor,
        action="export_practice",
        object_type="class",
        object_id=school_class_id,
        student_ids=[practice.student_id for practice in sets],
    )
    return sets


def practice_sets(
    session: Session,
    *,
    actor: governance_service.Actor,
    student_ids: Sequence[int],
    n_items: int = 10,
    success_band: tuple[float, float] = DEFAULT_SUCCESS_BAND,
    as_of: date | None = None,
    subject_code: str = "MATH",
) -> list[PracticeSet]:
    """Practice sets of any students (in the order given), their data read once; each student
    in the actor's scope, each set audited."""
    governance_service.require_students(session, actor=actor, student_ids=student_ids)
    sets = _sets(
        session,
        actor=actor,
        student_ids=student_ids,
        n_items=n_items,
        success_band=success_band,
        as_of=as_of,
        subject_code=subject_code,
    )
    for practice in sets:
        governance_service.audit(
            session,
            actor=actor,
            action="export_practice",
            object_type="student",
            object_id=practice.student_id,
        )
    return sets


def focused_practice_sets(
    session: Session,
    *,
    actor: governance_service.Actor,
    focus: Mapping[int, Collection[int]],
    exclude_item_ids: Collection[int] = (),
    n_items: int = 5,
    subject_code: str = "MATH",
) -> list[PracticeSet]:
    """Practice sets aimed at given knowledge points, per student (student id → point ids; the
    after-class practice on a quiz's errors): those points are ranked as if taught, their weak
    prerequisites may come first, and the items in ``exclude_item_ids`` (the quiz's) are not set.
    Each student in the actor's scope, each set audited."""
    student_ids = list(focus)
    governance_service.require_students(session, actor=actor, student_ids=student_ids)
    sets = _sets(
        session,
        actor=actor,
        student_ids=student_ids,
        n_items=n_items,
        success_band=DEFAULT_SUCCESS_BAND,
        as_of=None,
        subject_code=subject_code,
        focus={s: frozenset(kps) for s, kps in focus.items()},
        exclude=frozenset(exclude_item_ids),
    )
    for practice in sets:
        governance_service.audit(
            session,
            actor=actor,
            action="export_practice",
            object_type="student",
            object_id=practice.student_id,
        )
    return sets


def _sets(
    session: Session,
    *,
    actor: governance_service.Actor,
    student_ids: Sequence[int],
    n_items: int,
    success_band: tuple[float, float],
    as_of: date | None,
    subject_code: str,
    focus: Mapping[int, frozenset[int]] | None = None,
    exclude: frozenset[int] = frozenset(),
) -> list[PracticeSet]:
    """The sets of students whose scope the caller has checked (sets without consent say why)."""
    try:
        policy = SelectionPolicy(n_items=n_items, success_band=success_band)
    except ValueError as problem:
        raise Invalid(
            _("练习参数有误：{problem}").format(problem=str(problem)),
            code="practice.invalid_settings",
        ) from problem
    students = load_students(session, student_ids)
    blocked = consent_service.students_without_consent(
        session, [s.student_id for s in students], DIAGNOSIS, today=_today()
    )
    cleared = [s for s in students if s.student_id not in blocked]
    made = dict(
        zip(
            [s.student_id for s in cleared],
            _practice_sets(
                session,
                actor,
                cleared,
                policy,
                as_of=as_of,
                subject_code=subject_code,
                focus=focus,
                exclude=exclude,
            ),
            strict=True,
        )
    )
    return [made.get(s.student_id) or _without_consent(s, policy, as_of) for s in students]


def _practice_sets(
    session: Session,
    actor: governance_service.Actor,
    students: list[StudentInfo],
    policy: SelectionPolicy,
    *,
    as_of: date | None,
    subject_code: str,
    focus: Mapping[int, frozenset[int]] | None = None,
    exclude: frozenset[int] = frozenset(),
) -> list[PracticeSet]:
    if not students:
        return []
    catalogue = load_catalogue(session, subject_code=subject_code, as_of=as_of)
    ids = [s.student_id for s in students]
    history = load_history(session, catalogue, ids, as_of=as_of)
    estimate = _estimate(session, actor, ids, as_of=as_of, subject_code=subject_code)
    taught = load_taught(
        session, catalogue, sorted({s.school_class_id for s in students}), as_of=as_of
    )
    reference_on = _reference_day(as_of, history, taught)
    n_bank = len(catalogue.items)
    success = predicted_success(
        catalogue.params, estimate.logit_mean, estimate.logit_sd, np.arange(n_bank)
    )
    point_levels = estimate.mastery
    counts = estimate.n_evidence  # the diagnosis's own count: one source for 暂无作答
    recent_correct = _recently_correct(history, catalogue, reference_on)
    kp_position = {kp: k for k, kp in enumerate(catalogue.kp_ids)}
    sets = []
    for row, student in enumerate(students):
        wanted = focus.get(student.student_id, frozenset()) if focus is not None else frozenset()
        points = _point_states(
            catalogue,
            student.grade_level,
            taught[student.school_class_id],
            point_levels[row],
            estimate.logit_sd[row],
            counts[row],
            reference_on,
            wanted,
        )
        if focus is not None:
            points = _focused(points, wanted)
        known = {kp_position[p.kp_id] for p in points}
        candidates = [
            CandidateItem(
                item_id=item.item_id,
                item_type=item.item_type.value,
                kp_ids=tuple(catalogue.kp_ids[k] for k in item.main_kps),
                predicted_success=float(success[row, i]),
                is_recently_correct=item.item_id in recent_correct.get(row, set()),
            )
            for i, item in enumerate(catalogue.items)
            if _fits(item, known, student.grade_level) and item.item_id not in exclude
        ]
        selection = select_practice(points, candidates, policy)
        sets.append(
            build_practice_set(
                student,
                selection,
                catalogue,
                estimate,
                row,
                counts[row],
                policy,
                as_of=as_of,
                reference_on=reference_on,
            )
        )
    return sets


def reteach_plan(
    session: Session,
    *,
    actor: governance_service.Actor,
    school_code: str,
    class_name: str,
    as_of: date | None = None,
    subject_code: str = "MATH",
) -> ReteachPlan:
    """The 3–5 points a class should be re-taught, each with its most diagnostic items (staff of
    the class; names no student, so not audited)."""
    school_class = _school_class(session, school_code, class_name)
    _require_class_staff(session, actor, school_class.id)
    in_class = list(
        session.scalars(select(Student.id).where(Student.school_class_id == school_class.id))
    )
    blocked = consent_service.students_without_consent(session, in_class, DIAGNOSIS, today=_today())
    student_ids = [s for s in in_class if s not in blocked]
    school = session.get(School, school_class.school_id)
    grade_level = school_class.grade.level
    catalogue = load_catalogue(session, subject_code=subject_code, as_of=as_of)
    estimate = _estimate(session, actor, student_ids, as_of=as_of, subject_code=subject_code)
    point_levels = estimate.mastery
    taught = load_taught(session, catalogue, [school_class.id], as_of=as_of)[school_class.id]
    known = set(taught) | {
        k for k, g in enumerate(catalogue.kp_grade) if g is not None and g < grade_level
    }
    class_points = [
        ClassPoint(
            kp_id=catalogue.kp_ids[k],
            name=catalogue.fitted.kp_names[k],
            levels=point_levels[:, k] if student_ids else np.zeros(0),
            n_dependants=catalogue.n_dependants[k],
        )
        for k in sorted(taught)
    ]
    points = []
    for choice in rank_reteach(class_points):
        k = catalogue.kp_ids.index(choice.kp_id)
        on_point = [
            i
            for i, item in enumerate(catalogue.items)
            if k in item.main_kps and _fits(item, known, grade_level)
        ]
        points.append(
            ReteachPoint(
                kp_id=choice.kp_id,
                kp_code=catalogue.fitted.kp_codes[k],
                kp_name=catalogue.fitted.kp_names[k],
                mean_level=choice.mean_level,
                n_below=choice.n_below,
                n_students=choice.n_students,
                n_dependants=catalogue.n_dependants[k],
                priority=choice.priority,
                reason=choice.reason,
                items=build_diagnostic_items(catalogue, estimate, on_point, k),
            )
        )
    return ReteachPlan(
        school_code=school.code if school else "",
        school_name=school.name if school else "",
        class_name=school_class.name,
        grade_level=grade_level,
        n_students=len(student_ids),
        as_of=as_of,
        points=points,
        n_without_consent=len(blocked),
    )


def _school_class(session: Session, school_code: str, class_name: str) -> SchoolClass:
    """The class named by its school's code and its name."""
    school_class = session.scalar(
        select(SchoolClass)
        .join(School, School.id == SchoolClass.school_id)
        .where(School.code == school_code, SchoolClass.name == class_name)
    )
    if school_class is None:
        raise NotFound(
            _("学校 {school_code} 没有班级 {class_name}").format(
                school_code=school_code, class_name=class_name
            ),
            code="school_class.not_found",
        )
    return school_class


def _require_class_staff(
    session: Session, actor: governance_service.Actor, school_class_id: int
) -> None:
    """Staff whose scope includes the class (NotFound if there is no such class)."""
    governance_service.require_scope(session, actor=actor, school_class_id=school_class_id)
    governance_service.require_role(actor, *governance_service.STAFF_ROLES)


def _without_consent(
    student: StudentInfo, policy: SelectionPolicy, as_of: date | None
) -> PracticeSet:
    """The set of a student whose data may not be used: no items, and why."""
    return PracticeSet(
        student_id=student.student_id,
        student_number=student.student_number,
        student_name=student.name,
        school_code=student.school_code,
        school_name=student.school_name,
        class_name=student.class_name,
        grade_level=student.grade_level,
        as_of=as_of,
        reference_on=as_of or _today(),
        success_band=policy.success_band,
        targets=[],
        items=[],
        summary=consent_service.ConsentRequired(DIAGNOSIS).message,
    )


def _today() -> date:
    return datetime.now(UTC).date()


def _estimate(
    session: Session,
    actor: governance_service.Actor,
    student_ids: list[int],
    *,
    as_of: date | None,
    subject_code: str,
) -> MasteryTable:
    """The diagnosis's own estimates: one loader of evidence, one mastery for every surface."""
    return diagnosis_service.students_mastery(
        session, actor=actor, student_ids=student_ids, as_of=as_of, subject_code=subject_code
    )


def _reference_day(
    as_of: date | None, history: History, taught: dict[int, dict[int, date]]
) -> date:
    """The day "recent" counts back from: ``as_of``, else today or the latest data if later."""
    if as_of is not None:
        return as_of
    days = [*history.seen_on, *(d for by_kp in taught.values() for d in by_kp.values())]
    today = datetime.now(UTC).date()
    return max([today, *days])


def _recently_correct(
    history: History, catalogue: Catalogue, reference_on: date
) -> dict[int, set[int]]:
    """Bank item ids each student (by row) answered fully right within the recent window."""
    since = reference_on - timedelta(days=RECENTLY_CORRECT_DAYS)
    n_bank = len(catalogue.items)
    found: dict[int, set[int]] = {}
    for student, item, score, day in zip(
        history.student, history.item, history.score, history.seen_on, strict=True
    ):
        if item < n_bank and score >= FULL_MARKS and day >= since:
            found.setdefault(int(student), set()).add(catalogue.items[item].item_id)
    return found


def _point_states(
    catalogue: Catalogue,
    grade_level: int,
    taught: dict[int, date],
    levels: FloatArray,
    logit_sd: FloatArray,
    counts: IntArray,
    reference_on: date,
    focus: frozenset[int] = frozenset(),
) -> list[PointState]:
    """Points taught to the class, and points of lower grades (met before); ``focus`` points
    count as taught (a lesson on them has just been given)."""
    recent_since = reference_on - timedelta(days=RECENTLY_TAUGHT_DAYS)
    states = []
    for k, kp_id in enumerate(catalogue.kp_ids):
        grade = catalogue.kp_grade[k]
        is_taught = k in taught or kp_id in focus
        if not is_taught and (grade is None or grade >= grade_level):
            continue
        states.append(
            PointState(
                kp_id=kp_id,
                name=catalogue.fitted.kp_names[k],
                level=float(levels[k]),
                logit_sd=float(logit_sd[k]),
                n_evidence=int(counts[k]),
                is_taught=is_taught,
                prerequisite_ids=tuple(catalogue.kp_ids[p] for p in catalogue.prerequisites[k]),
                n_dependants=catalogue.n_dependants[k],
                is_recent=kp_id in focus or (is_taught and taught[k] >= recent_since),
            )
        )
    return states


def _focused(points: list[PointState], focus: frozenset[int]) -> list[PointState]:
    """Only the focus points may be ranked as weak (they count as taught); the others stay as
    possible prerequisites."""
    return [replace(p, is_taught=p.kp_id in focus, is_recent=p.kp_id in focus) for p in points]


def _fits(item: BankItem, known: set[int], grade_level: int) -> bool:
    """An item the student can do: on points they have met, not above their grade."""
    return (
        bool(item.main_kps)
        and all(k in known for k in item.all_kps)
        and (item.grade_level is None or item.grade_level <= grade_level)
    )
