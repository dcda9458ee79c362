"""What the platform said before an exam, and what the exam then showed: a district's own
observed outcomes, held out by time, as arrays for the fairness report (no hidden truth).

* **Mastery** (one subject at a time): the newest exam day of the subject is held out. The mastery
  model is calibrated on every response before that day, each student estimated from their own
  earlier responses (``diagnosis.service``: the same fit and posterior as "mastery as of a date"),
  and each held-out answer predicted from those estimates (``practice.estimates.predicted_success``,
  the success the practice booklets aim with). Observed: the answer's score rate (score ÷ full).
* **Early warnings**: the district is replayed as it stood the day before its newest exam round
  (exams and homework before it, ``cockpit.data.load_district(before=…)``) and the student warnings
  of that day computed (``cockpit``'s detectors, standard limits). Observed in that round:
  *decline*, a fall of the mean standard score over the round's papers from the previous round by
  the growth rule (``analysis.growth.growth_word``: 退步); *absence*, missing every paper of the
  round one was expected at (how ``cockpit`` counts an absence).

Only students the diagnosis consent rule clears take part in the mastery rows (their responses
are the only ones the diagnosis may read).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np
import numpy.typing as npt
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yincai.analysis.growth import Growth, growth_word
from yincai.cockpit import indicators
from yincai.cockpit.cache import AnalysedDistrict
from yincai.cockpit.data import DistrictData, load_district
from yincai.cockpit.detection import WarningKind, decline_signals
from yincai.cockpit.warnings import STANDARD
from yincai.consent import service as consent_service
from yincai.consent.models import ConsentPurpose
from yincai.diagnosis import service as diagnosis_service
from yincai.domain.models import (
    Assessment,
    AssessmentItem,
    AssessmentKind,
    Dimension,
    GrowthRecord,
    KnowledgePoint,
    School,
    SchoolClass,
    Score,
    Student,
    Subject,
)
from yincai.errors import NotFound
from yincai.practice.estimates import ItemParameters, predicted_success
from yincai.rules import t_score

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
StrArray = npt.NDArray[np.str_]

DIMENSIONS = ("setting", "stage", "gender", "activities")
ACTIVITY_RECORDS = (Dimension.ARTS, Dimension.HEALTH)  # growth records of arts and of sports
MANY_ACTIVITIES = 3  # records from which a student counts as having many activities
CHUNK_STUDENTS = 500  # students estimated at once (memory: pairs × grid), as the refresh does


@dataclass(frozen=True)
class Outcomes:
    """One row per observation: whose it is, what was observed (``truth``: 0/1 or a score rate)
    and what the platform said beforehand (``predicted``: a probability, or 0/1 warned), and
    each row's group under each dimension."""

    student_id: IntArray
    truth: FloatArray
    predicted: FloatArray
    groups: dict[str, StrArray]


@dataclass(frozen=True)
class StudentGroups:
    """Every student of the district with their group under each dimension measured;
    ``activities`` is left out when the district holds no arts or sports growth records."""

    groups: dict[int, dict[str, str]]
    dimensions: tuple[str, ...]


def student_groups(session: Session, district_id: int) -> StudentGroups:
    """The school's setting and stage and the gender of every student of the district, and
    whether they have many arts or sports activities (where growth records exist)."""
    rows = session.execute(
        select(Student.id, School.setting, School.stage, Student.gender)
        .join(SchoolClass, SchoolClass.id == Student.school_class_id)
        .join(School, School.id == SchoolClass.school_id)
        .where(Student.district_id == district_id)
    ).all()
    activities = dict(
        session.execute(
            select(GrowthRecord.student_id, func.count())
            .join(Student, Student.id == GrowthRecord.student_id)
            .where(
                Student.district_id == district_id,
                GrowthRecord.dimension.in_(ACTIVITY_RECORDS),
            )
            .group_by(GrowthRecord.student_id)
        ).all()
    )
    dimensions = DIMENSIONS if activities else DIMENSIONS[:-1]
    groups: dict[int, dict[str, str]] = {}
    for student_id, setting, stage, gender in rows:
        found = {"setting": str(setting), "stage": str(stage), "gender": str(gender)}
        if activities:
            many = activities.get(student_id, 0) >= MANY_ACTIVITIES
            found["activities"] = "many" if many else "others"
        groups[student_id] = found
    return StudentGroups(groups, dimensions)


@dataclass(frozen=True)
class HeldOutExam:
    """The exam day held out for one subject and the responses it holds."""

    subject_code: str
    held_on: date
    n_responses: int


def mastery_outcomes(
    session: Session, district_id: int, subject_code: str, students: StudentGroups
) -> tuple[Outcomes, HeldOutExam] | None:
    """The subject's newest exam day predicted from the estimates of the day before; None when
    the subject has no such exam or no evidence before it."""
    subject_id = diagnosis_service.subject_id_of(session, subject_code)
    exams = (
        select(Assessment.held_on)
        .join(AssessmentItem, AssessmentItem.assessment_id == Assessment.id)
        .join(Score, Score.assessment_item_id == AssessmentItem.id)
        .where(
            Assessment.district_id == district_id,
            Assessment.subject_id == subject_id,
            Assessment.kind == AssessmentKind.EXAM,
        )
    )
    held_on = session.scalar(select(func.max(exams.subquery().c.held_on)))
    if held_on is None:
        return None
    cutoff = held_on - timedelta(days=1)
    try:
        fitted = diagnosis_service.fit_mastery_model(
            session, subject_code=subject_code, as_of=cutoff
        )
    except NotFound:  # no response before the held-out day
        return None
    today = datetime.now(UTC).date()
    cleared = consent_service.cleared_student_ids(ConsentPurpose.DIAGNOSIS, today=today)
    answers = session.execute(
        select(Score.student_id, AssessmentItem.item_id, Score.score / AssessmentItem.full_score)
        .join(AssessmentItem, AssessmentItem.id == Score.assessment_item_id)
        .join(Assessment, Assessment.id == AssessmentItem.assessment_id)
        .where(
            Assessment.district_id == district_id,
            Assessment.subject_id == subject_id,
            Assessment.kind == AssessmentKind.EXAM,
            Assessment.held_on == held_on,
            AssessmentItem.item_id.is_not(None),
            AssessmentItem.full_score > 0,
            Score.score.is_not(None),
            Score.student_id.in_(cleared),
        )
    ).all()
    item_index = {item_id: i for i, item_id in enumerate(fitted.item_ids)}
    kept = [
        (s, item_index[i], float(r))
        for s, i, r in answers
        if i in item_index and s in students.groups
    ]
    if not kept:
        return None
    student = np.array([k[0] for k in kept], dtype=np.int64)
    item = np.array([k[1] for k in kept], dtype=np.int64)
    observed = np.clip(np.array([k[2] for k in kept]), 0.0, 1.0)
    predicted = _predicted(session, fitted, subject_code, cutoff, student, item)
    outcomes = Outcomes(student, observed, predicted, _labels(students, student))
    return outcomes, HeldOutExam(subject_code, held_on, len(kept))


def _predicted(
    session: Session,
    fitted: diagnosis_service.FittedMastery,
    subject_code: str,
    cutoff: date,
    student: IntArray,
    item: IntArray,
) -> FloatArray:
    """Each (student, item)'s predicted success from the student's estimates as of ``cutoff``."""
    responses = diagnosis_service.all_responses(
        session, fitted, subject_code=subject_code, as_of=cutoff
    )
    params = ItemParameters.of(fitted.model)
    items = np.unique(item)
    column = np.searchsorted(items, item)
    ids = np.unique(student)
    out = np.zeros(student.size)
    for low in range(0, ids.size, CHUNK_STUDENTS):
        chunk = ids[low : low + CHUNK_STUDENTS]
        keep = np.isin(responses.student_id, chunk)
        estimate = diagnosis_service.estimate_students(
            fitted, diagnosis_service.subset(responses, keep), [int(s) for s in chunk]
        )
        success = predicted_success(params, estimate.logit_mean, estimate.logit_sd, items)
        rows = np.isin(student, chunk)
        out[rows] = success[np.searchsorted(chunk, student[rows]), column[rows]]
    return out


@dataclass(frozen=True)
class HeldOutRound:
    """The exam round the warnings are checked against (its first day: the warnings are those
    of the day before) and the round the decline is measured from, with their names."""

    held_on: date
    name: str
    previous_name: str


@dataclass(frozen=True)
class WarningOutcomes:
    decline: Outcomes  # warned of a decline (0/1) against a fall of the standard score
    decline_score: Outcomes  # the combined decline signal (higher: steeper) against the fall
    absence: Outcomes  # warned of chronic absence against missing the held-out round
    held_out: HeldOutRound


def warning_outcomes(
    session: Session, district_id: int, students: StudentGroups
) -> WarningOutcomes | None:
    """The student warnings of the day before the newest exam round (the k-th exam of every
    grade and subject, ``cockpit.indicators.rounds``) against that round's results; None with
    fewer than three rounds (no history to warn from, or nothing to compare)."""
    full = load_district(session, district_id)
    by_round = indicators.rounds(full)
    if len(by_round) < 3:
        return None
    held, previous = by_round[-1], by_round[-2]
    held_on = min(full.exams[e].held_on for e in held)
    past = load_district(session, district_id, before=held_on)
    if not np.array_equal(past.student_ids, full.student_ids):
        raise RuntimeError("the roster changed between two reads")  # one transaction: never
    analysed = AnalysedDistrict(data=past, view=indicators.standing(past))
    warned = {kind: np.zeros(past.student_ids.size) for kind in WarningKind}
    row_of = {int(s): row for row, s in enumerate(past.student_ids)}
    for warning in analysed.warnings(STANDARD):
        if warning.subject.student_id is not None:
            warned[warning.kind][row_of[warning.subject.student_id]] = 1.0
    combined = decline_signals(past, analysed.view, STANDARD).combined
    steepness = np.where(np.isfinite(combined), -combined, -np.inf)  # no evidence: lowest
    before, after = _round_mean_t(full, previous), _round_mean_t(full, held)
    moved = [growth_word(float(b), float(a)) for b, a in zip(before, after, strict=True)]
    has_move = np.array([m is not None for m in moved])
    fell = np.array([m is Growth.DOWN for m in moved], dtype=np.float64)
    # absent: expected at the round and sat none of its papers (how the cockpit counts one)
    expected = full.expected[held].any(axis=0)
    sat = (full.expected[held] & ~full.is_absent[held]).any(axis=0)
    in_district = np.array([int(s) in students.groups for s in full.student_ids])

    def rows(mask: npt.NDArray[np.bool_], truth: FloatArray, said: FloatArray) -> Outcomes:
        ids = full.student_ids[mask]
        return Outcomes(ids, truth[mask], said[mask], _labels(students, ids))

    moving = has_move & in_district
    expecting = expected & in_district
    absent: FloatArray = np.logical_not(sat).astype(np.float64)
    return WarningOutcomes(
        decline=rows(moving, fell, warned[WarningKind.DECLINING_STUDENT]),
        decline_score=rows(moving, fell, steepness),
        absence=rows(expecting, absent, warned[WarningKind.CHRONIC_ABSENCE]),
        held_out=HeldOutRound(
            held_on, indicators.round_label(full, held), indicators.round_label(full, previous)
        ),
    )


def _round_mean_t(data: DistrictData, papers: list[int]) -> FloatArray:
    """Each student's mean standard score over the papers of one round (NaN: sat none)."""
    t = np.array([t_score(data.totals[e]) for e in papers])
    sat = np.isfinite(t)
    n = sat.sum(axis=0)
    total = np.where(sat, t, 0.0).sum(axis=0)
    mean: FloatArray = np.full(n.shape, np.nan)
    np.divide(total, n, out=mean, where=n > 0)
    return mean


def _labels(students: StudentGroups, student_ids: IntArray) -> dict[str, StrArray]:
    return {
        dim: np.array([students.groups[int(s)][dim] for s in student_ids], dtype=np.str_)
        for dim in students.dimensions
    }


def subjects_with_exams(session: Session, district_id: int) -> list[str]:
    """Codes of the subjects with knowledge points and an exam in the district."""
    return list(
        session.scalars(
            select(Subject.code)
            .where(
                Subject.id.in_(select(KnowledgePoint.subject_id)),
                Subject.id.in_(
                    select(Assessment.subject_id).where(
                        Assessment.district_id == district_id,
                        Assessment.kind == AssessmentKind.EXAM,
                    )
                ),
            )
            .order_by(Subject.code)
        )
    )
