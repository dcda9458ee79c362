"""Knowledge-point mastery of students, from their exam item scores and learning events.

The mastery model (:class:`yincai.science.mastery.MasteryModel`) is calibrated per subject on the
whole population, and every student's posterior computed, by the refresh job after each import
(``diagnosis.refresh``), stored as a run (``diagnosis.store``). Requests for the current mastery
only read the newest ready run (:class:`NotReady` until there is one). Mastery *as of* a past date
(benchmarks, the CLI's ``--as-of``) is computed on demand, the calibration cached per process.

Only the data of students the privacy rule clears for diagnosis is read (under 14: a guardian's
consent in force; ``consent.service.cleared_student_ids``), for the calibration as for each
student; a student who is not cleared gets ConsentRequired, or the prior in a class table.

Every read of students' mastery takes the ``actor`` (the signed-in account, or ``SystemActor``
for the CLI, jobs and benchmarks) and checks its scope here. ``student_mastery`` and
``students_mastery`` are also the door other services read through for a view they audit
themselves (a student report, a practice booklet); the whole views of ``diagnosis.views`` (the
CLI's) write the audit row.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from yincai.consent import service as consent_service
from yincai.consent.models import ConsentPurpose
from yincai.diagnosis import levels, store, teaching
from yincai.diagnosis.models import MasteryRun, RunStatus
from yincai.diagnosis.schemas import EvidenceRead, MasteryRead
from yincai.domain.models import (
    Assessment,
    AssessmentItem,
    Item,
    ItemKp,
    ItemType,
    KnowledgePoint,
    KpLevel,
    LearningEvent,
    SchoolClass,
    Score,
    Student,
    Subject,
)
from yincai.errors import NotFound, NotReady
from yincai.governance import service as governance_service
from yincai.i18n import _
from yincai.science.forgetting import forgetting_rate, recency_shift
from yincai.science.mastery import MasteryEstimate, MasteryModel

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

EXAM_SOURCE = "exam"
# Where a response was given: a timed exam (the reference every prediction is made in) or a
# learning event (homework, practice: untimed, with books at hand). The model learns how much
# easier the second is, so a homework success counts for what it shows.
EXAM_CONTEXT, PRACTICE_CONTEXT = 0, 1
MAX_FILTERED_STUDENTS = 500  # beyond this many students, load everyone and filter in memory
MAX_EVIDENCE_ROWS = 20
MAX_FIT_STUDENTS = 2000  # students sampled to calibrate items and KPs (enough for ~600 items)
FIT_SEED = 0  # the most recent responses listed under each knowledge point
# Lower asymptote by format: the chance of a blind guess.
TRUE_FALSE_GUESSING = 0.5
MULTIPLE_CHOICE_GUESSING = 1 / 15  # one non-empty subset of four options
DEFAULT_OPTIONS = 4
# A partially credited response (short answer, essay) reads as one binomial trial per score point,
# capped: an essay scored 7 / 10 says more than a choice answered right. Counted once all the same.
PARTIAL_CREDIT_TYPES = (ItemType.SHORT_ANSWER, ItemType.ESSAY)
MAX_TRIALS = 12

DIAGNOSIS = ConsentPurpose.DIAGNOSIS
EPOCH = date(1970, 1, 1)
SECONDS_PER_DAY = 86400.0

_MODELS: dict[tuple[object, ...], FittedMastery] = {}


@dataclass(frozen=True)
class FittedMastery:
    """A calibrated model with the database ids behind its item and KP indices.

    The last ``n_kps`` items are pseudo-items, one per KP, for learning events that name a
    knowledge point but no item.
    """

    model: MasteryModel
    subject_code: str
    as_of: date | None
    kp_ids: list[int]
    kp_codes: list[str]
    kp_names: list[str]
    item_ids: list[int]
    item_codes: list[str]
    item_trials: FloatArray  # per model item (pseudo-items: 1): the weight of one response
    forgetting_per_week: float  # logits of mastery lost per week since the evidence
    mean_evidence_day: float  # days since 1970 of the calibration's evidence, on average
    fit_seconds: float

    @property
    def n_kps(self) -> int:
        return len(self.kp_ids)


@dataclass(frozen=True)
class Responses:
    """Long-format responses of some students, in time order, with their provenance."""

    student_id: IntArray
    item: IntArray  # model item index (pseudo-items included)
    score: FloatArray  # score ÷ full score
    day: FloatArray  # days since 1970-01-01 (for forgetting)
    context: IntArray  # EXAM_CONTEXT for exam item scores, PRACTICE_CONTEXT for learning events
    seen_on: list[date]
    assessment_code: list[str | None]
    source: list[str]


@dataclass(frozen=True)
class MasteryTable:
    """Mastery of many students: arrays (n_students, n_kps) with the ids of rows and columns."""

    student_ids: list[int]
    kp_ids: list[int]
    kp_codes: list[str]
    mastery: FloatArray  # the level σ(logit_mean) (``diagnosis.levels``)
    logit_mean: FloatArray
    logit_sd: FloatArray
    n_evidence: IntArray
    without_consent: list[int]  # students whose data may not be used: their rows are the prior


def fit_mastery_model(
    session: Session, *, subject_code: str = "MATH", as_of: date | None = None
) -> FittedMastery:
    """Calibrate (or reuse) the subject's mastery model on every response up to ``as_of``."""
    return fit_with_responses(session, subject_code=subject_code, as_of=as_of)[0]


def fit_with_responses(
    session: Session, *, subject_code: str = "MATH", as_of: date | None = None
) -> tuple[FittedMastery, Responses | None]:
    """``fit_mastery_model`` and every cleared student's responses it read (numbers only), so a
    refresh estimating everyone reads the evidence once; None where the model was cached."""
    key = _cache_key(session, subject_code, as_of)
    cached = _MODELS.get(key)
    if cached is not None:
        return cached, None
    subject_id, kps, items, q_weights, guessing, trials = _catalogue(session, subject_code)
    everyone = _responses(session, subject_id, items, kps, as_of=as_of, student_ids=None)
    responses = everyone
    if responses.student_id.size == 0:
        raise NotFound(
            _("科目 {subject_code} 还没有作答记录").format(subject_code=subject_code),
            code="diagnosis.no_responses",
        )
    students = np.unique(responses.student_id)
    if students.size > MAX_FIT_STUDENTS:  # a seeded sample calibrates the items as well
        sample = np.random.default_rng(FIT_SEED).choice(students, MAX_FIT_STUDENTS, replace=False)
        responses = _subset(responses, np.isin(responses.student_id, sample))
        students = np.unique(responses.student_id)
    codes = np.searchsorted(students, responses.student_id)
    start = datetime.now(UTC)
    model = MasteryModel().fit(
        codes, responses.item, responses.score, q_weights, guessing, contexts=responses.context
    )
    rate = forgetting_rate(
        codes,
        responses.item,
        responses.score,
        _weeks_before(as_of or _today(), responses.day),
        model.q_weights_,
        model.discrimination_,
    )
    fitted = FittedMastery(
        model=model,
        subject_code=subject_code,
        as_of=as_of,
        kp_ids=[k[0] for k in kps],
        kp_codes=[k[1] for k in kps],
        kp_names=[k[2] for k in kps],
        item_ids=[i[0] for i in items],
        item_codes=[i[1] for i in items],
        item_trials=trials,
        forgetting_per_week=rate,
        mean_evidence_day=float(np.average(responses.day, weights=trials[responses.item])),
        fit_seconds=(datetime.now(UTC) - start).total_seconds(),
    )
    _MODELS.clear()  # one calibration per process is enough; new data makes a new key
    _MODELS[key] = fitted
    return fitted, everyone


def mastery_model(
    session: Session, *, subject_code: str = "MATH", as_of: date | None = None
) -> FittedMastery:
    """The calibrated model behind current estimates (the newest ready run), or as of a date."""
    if as_of is not None:
        return fit_mastery_model(session, subject_code=subject_code, as_of=as_of)
    fitted = store.fitted_of(session, ready_run(session, subject_code))
    assert isinstance(fitted, FittedMastery)
    return fitted


def estimates_version(session: Session, subject_code: str) -> tuple[object, ...]:
    """What the current estimates of a subject's students rest on: the ready run, the evidence
    (imports, erasures, consents), evidence recorded outside imports (practice) and the day
    (consents expire): a key for views built from them (NotReady without a run)."""
    run = ready_run(session, subject_code)
    newest_event = session.scalar(select(func.max(LearningEvent.id)))
    return (run.id, store.evidence_version(session), newest_event, _today())


def ready_run(session: Session, subject_code: str) -> MasteryRun:
    """The newest ready run of the subject; NotReady while none has been computed."""
    run = store.latest_run(session, _subject_id(session, subject_code), RunStatus.READY)
    if run is None:
        raise NotReady(
            _("尚无掌握度估计：正在计算（或还没有作答记录），完成后即可查看"),
            code="mastery.not_ready",
        )
    return run


def run_state(session: Session, *, subject_code: str = "MATH") -> store.RunState:
    """Whether the subject's estimates are current, being refreshed, or not computed yet."""
    return store.run_state(session, _subject_id(session, subject_code))


def refresh_if_stale(
    session: Session, *, subject_code: str, request_refresh: Callable[[str, str], object]
) -> store.RunState:
    """The subject's run state; when its estimates are not current and no run is under way,
    ``request_refresh(subject_code, version)`` queues the refresh job."""
    state = run_state(session, subject_code=subject_code)
    if state.is_refreshing and state.running is None:
        request_refresh(subject_code, store.evidence_version(session))
    return state


def refresh_all_if_stale(
    session: Session, *, request_refresh: Callable[[str, str], object]
) -> None:
    """``refresh_if_stale`` for every subject that has knowledge points (after an import)."""
    codes = session.scalars(
        select(Subject.code)
        .where(Subject.id.in_(select(KnowledgePoint.subject_id)))
        .order_by(Subject.code)
    )
    for code in list(codes):
        refresh_if_stale(session, subject_code=code, request_refresh=request_refresh)


def student_mastery(
    session: Session,
    *,
    actor: governance_service.Actor,
    student_id: int,
    as_of: date | None = None,
    subject_code: str = "MATH",
) -> list[MasteryRead]:
    """One student's mastery of each point-level knowledge point, with its evidence (scope
    checked; the caller audits the view it is part of); points not yet taught to the student's
    class (``diagnosis.teaching``) are marked so."""
    student = session.get(Student, student_id)
    if student is None:
        raise NotFound(_("学生 {id} 不存在").format(id=student_id), code="student.not_found")
    governance_service.require_scope(session, actor=actor, student_id=student_id)
    consent_service.require_consent(
        session, student_id=student_id, purpose=DIAGNOSIS, today=_today()
    )
    fitted = mastery_model(session, subject_code=subject_code, as_of=as_of)
    responses = _fitted_responses(
        session, fitted, subject_code, as_of=as_of, student_ids=[student_id]
    )
    estimate = _posterior(session, fitted, [student_id], as_of=as_of, subject_code=subject_code)
    q = fitted.model.q_weights_
    met = _met_points(session, fitted, student, as_of=as_of)
    rows: list[MasteryRead] = []
    for k in range(fitted.n_kps):
        touched = np.flatnonzero(q[responses.item, k] > 0)[::-1]  # newest first
        evidence = [
            EvidenceRead(
                item_id=_item_id(fitted, int(responses.item[r])),
                item_code=_item_code(fitted, int(responses.item[r])),
                assessment_code=responses.assessment_code[r],
                source=responses.source[r],
                score=float(responses.score[r]),
                seen_on=responses.seen_on[r],
            )
            for r in touched[:MAX_EVIDENCE_ROWS]
        ]
        mean, sd = float(estimate.logit_mean[0, k]), float(estimate.logit_sd[0, k])
        low, high = levels.interval(mean, sd)
        point = float(levels.level(mean))
        n_evidence = int(estimate.n_evidence[0, k])
        is_taught = k in met or n_evidence > 0
        rows.append(
            MasteryRead(
                kp_id=fitted.kp_ids[k],
                kp_code=fitted.kp_codes[k],
                kp_name=fitted.kp_names[k],
                mastery=point,
                logit_sd=sd,
                level_low=float(low),
                level_high=float(high),
                band=levels.band(point, n_evidence=n_evidence, is_taught=is_taught),
                band_word=levels.band_word(point, n_evidence=n_evidence, is_taught=is_taught),
                is_taught=is_taught,
                n_evidence=n_evidence,
                last_seen_on=evidence[0].seen_on if evidence else None,
                evidence=evidence,
            )
        )
    return rows


def _met_points(
    session: Session, fitted: FittedMastery, student: Student, *, as_of: date | None
) -> set[int]:
    """Points the student has met: taught to their class by ``as_of``, or of a lower grade."""
    n_items = len(fitted.item_ids)
    tagged = fitted.model.q_weights_[:n_items] > 0
    item_kps = {
        item_id: tuple(int(k) for k in np.flatnonzero(tagged[i]))
        for i, item_id in enumerate(fitted.item_ids)
    }
    return teaching.met_points(
        session,
        item_kps=item_kps,
        kp_ids=fitted.kp_ids,
        school_class_id=student.school_class_id,
        grade_level=student.school_class.grade.level,
        as_of=as_of,
    )


def class_met_points(
    session: Session, fitted: FittedMastery, *, school_class_id: int, as_of: date | None = None
) -> set[int]:
    """Indices (into ``fitted.kp_ids``) of the points a class has met: taught to it by ``as_of``
    (``diagnosis.teaching``), or of a lower grade (numbers only; the caller checks the scope)."""
    school_class = session.get(SchoolClass, school_class_id)
    if school_class is None:
        raise NotFound(
            _("班级 {id} 不存在").format(id=school_class_id), code="school_class.not_found"
        )
    n_items = len(fitted.item_ids)
    tagged = fitted.model.q_weights_[:n_items] > 0
    item_kps = {
        item_id: tuple(int(k) for k in np.flatnonzero(tagged[i]))
        for i, item_id in enumerate(fitted.item_ids)
    }
    return teaching.met_points(
        session,
        item_kps=item_kps,
        kp_ids=fitted.kp_ids,
        school_class_id=school_class_id,
        grade_level=school_class.grade.level,
        as_of=as_of,
    )


def class_mastery(
    session: Session,
    *,
    actor: governance_service.Actor,
    school_class_id: int,
    as_of: date | None = None,
    subject_code: str = "MATH",
) -> MasteryTable:
    """Mastery of every student of a class (rows by student id) and point-level KP (staff of
    the class; the caller audits the view it is part of)."""
    if session.get(SchoolClass, school_class_id) is None:
        raise NotFound(
            _("班级 {id} 不存在").format(id=school_class_id), code="school_class.not_found"
        )
    governance_service.require_role(actor, *governance_service.STAFF_ROLES)
    governance_service.require_scope(session, actor=actor, school_class_id=school_class_id)
    student_ids = list(
        session.scalars(
            select(Student.id)
            .where(Student.school_class_id == school_class_id)
            .order_by(Student.id)
        )
    )
    return students_mastery(
        session, actor=actor, student_ids=student_ids, as_of=as_of, subject_code=subject_code
    )


def students_mastery(
    session: Session,
    *,
    actor: governance_service.Actor,
    student_ids: Sequence[int],
    as_of: date | None = None,
    subject_code: str = "MATH",
) -> MasteryTable:
    """Mastery of the given students (in that order); students without history get the prior
    (each student in the actor's scope; the caller audits the view it is part of)."""
    governance_service.require_students(session, actor=actor, student_ids=student_ids)
    fitted = mastery_model(session, subject_code=subject_code, as_of=as_of)
    estimate = _posterior(
        session, fitted, list(student_ids), as_of=as_of, subject_code=subject_code
    )
    blocked = consent_service.students_without_consent(
        session, list(student_ids), DIAGNOSIS, today=_today()
    )
    if blocked:  # a consent withdrawn since the run: its estimate is not shown, the prior is
        prior = estimate_students(fitted, _no_responses(), [0])
        for row, student_id in enumerate(student_ids):
            if student_id in blocked:
                estimate.logit_mean[row] = prior.logit_mean[0]
                estimate.logit_sd[row] = prior.logit_sd[0]
                estimate.n_evidence[row] = 0
    return MasteryTable(
        student_ids=list(student_ids),
        kp_ids=fitted.kp_ids,
        kp_codes=fitted.kp_codes,
        mastery=levels.level(estimate.logit_mean),
        logit_mean=estimate.logit_mean,
        logit_sd=estimate.logit_sd,
        n_evidence=estimate.n_evidence,
        without_consent=[s for s in student_ids if s in blocked],
    )


@dataclass(frozen=True)
class Posterior:
    """Posterior of each (student, point) mastery logit, shape (n_students, n_kps)."""

    logit_mean: FloatArray
    logit_sd: FloatArray
    n_evidence: IntArray


def _posterior(
    session: Session,
    fitted: FittedMastery,
    student_ids: list[int],
    *,
    as_of: date | None,
    subject_code: str,
) -> Posterior:
    """Current estimates from the stored run (students it lacks computed from their responses
    with its model), or estimates as of a date computed on demand."""
    stored = None
    if as_of is None:
        run = ready_run(session, subject_code)
        stored = store.read_estimates(session, run, student_ids, fitted.n_kps)
        # Students the run knew nothing of (new, or cleared by a consent given since) are
        # computed from their own responses with the run's model: milliseconds each.
        unknown = set(stored.missing) | {
            s for s, counts in zip(student_ids, stored.n_evidence, strict=True) if not counts.any()
        }
        if not unknown:
            return Posterior(stored.logit_mean, stored.logit_sd, stored.n_evidence)
    live_ids = [s for s in student_ids if s in unknown] if stored is not None else student_ids
    responses = _fitted_responses(session, fitted, subject_code, as_of=as_of, student_ids=live_ids)
    live = estimate_students(fitted, responses, live_ids)
    if stored is None:
        return Posterior(live.logit_mean, live.logit_sd, live.n_responses)
    rows = [student_ids.index(s) for s in live_ids]
    mean, sd, counts = stored.logit_mean, stored.logit_sd, stored.n_evidence
    mean[rows], sd[rows], counts[rows] = live.logit_mean, live.logit_sd, live.n_responses
    return Posterior(mean, sd, counts)


def estimate_students(
    fitted: FittedMastery, responses: Responses, student_ids: list[int]
) -> MasteryEstimate:
    """Posterior of ``student_ids`` (in that order) given their ``responses``, each point's logit
    moved by the forgetting since its evidence, relative to the calibration's evidence
    (``science.forgetting``)."""
    n_students = max(len(student_ids), 1)
    position = {s: i for i, s in enumerate(student_ids)}
    codes = np.array([position[int(s)] for s in responses.student_id], dtype=np.int64)
    model = fitted.model
    if codes.size == 0:
        return model.predict(model.empty_evidence(n_students))
    trials = fitted.item_trials[responses.item]
    evidence = model.evidence(
        codes,
        responses.item,
        responses.score,
        n_students=n_students,
        trials=trials,
        contexts=responses.context,
    )
    estimate = model.predict(evidence)
    if fitted.forgetting_per_week <= 0:
        return estimate
    shift = recency_shift(
        codes,
        responses.item,
        responses.day,
        trials,
        model.q_weights_,
        n_students,
        rate=fitted.forgetting_per_week,
        reference_day=fitted.mean_evidence_day,
    )
    return replace(estimate, logit_mean=estimate.logit_mean + shift)


def _weeks_before(on: date, days: FloatArray) -> FloatArray:
    """Weeks from each response to the end of ``on`` (never negative)."""
    end = (on - EPOCH).days + 1
    weeks: FloatArray = np.maximum(end - days, 0.0) / 7.0
    return weeks


def _cache_key(session: Session, subject_code: str, as_of: date | None) -> tuple[object, ...]:
    bind = session.get_bind()
    scores = session.execute(select(func.count(Score.id), func.max(Score.id))).one()
    events = session.execute(select(func.count(LearningEvent.id), func.max(LearningEvent.id))).one()
    # Who may be diagnosed changes with every consent given or withdrawn, and with the year.
    consents = (_today().year, *consent_service.consent_version(session))
    return (str(bind.engine.url), id(bind.engine), subject_code, as_of, *scores, *events, *consents)


def subject_id_of(session: Session, subject_code: str) -> int:
    return _subject_id(session, subject_code)


def all_responses(
    session: Session, fitted: FittedMastery, *, subject_code: str, as_of: date | None = None
) -> Responses:
    """Every cleared student's responses to the fitted model's items, up to ``as_of`` when
    given (numbers only)."""
    return _fitted_responses(session, fitted, subject_code, as_of=as_of, student_ids=None)


def subset(responses: Responses, keep: npt.NDArray[np.bool_]) -> Responses:
    """The responses where ``keep`` holds (numbers only)."""
    return _subset(responses, keep)


def _fitted_responses(
    session: Session,
    fitted: FittedMastery,
    subject_code: str,
    *,
    as_of: date | None,
    student_ids: list[int] | None,
) -> Responses:
    """Responses to the fitted model's items and points (``_responses``)."""
    return _responses(
        session,
        _subject_id(session, subject_code),
        list(zip(fitted.item_ids, fitted.item_codes, strict=True)),
        [(k, c, "") for k, c in zip(fitted.kp_ids, fitted.kp_codes, strict=True)],
        as_of=as_of,
        student_ids=student_ids,
    )


def _subject_id(session: Session, subject_code: str) -> int:
    subject_id = session.scalar(select(Subject.id).where(Subject.code == subject_code))
    if subject_id is None:
        raise NotFound(
            _("科目 {subject_code} 不存在").format(subject_code=subject_code),
            code="subject.not_found",
        )
    return subject_id


def _catalogue(
    session: Session, subject_code: str
) -> tuple[
    int, list[tuple[int, str, str]], list[tuple[int, str]], FloatArray, FloatArray, FloatArray
]:
    """Point-level KPs, tagged items (then one pseudo-item per KP), tag weights, guessing and the
    trials one response of each item counts for."""
    subject_id = _subject_id(session, subject_code)
    kps = [
        (k.id, k.code, k.name)
        for k in session.scalars(
            select(KnowledgePoint)
            .where(KnowledgePoint.subject_id == subject_id, KnowledgePoint.level == KpLevel.POINT)
            .order_by(KnowledgePoint.id)
        )
    ]
    if not kps:
        raise NotFound(
            _("科目 {subject_code} 没有知识点").format(subject_code=subject_code),
            code="subject.no_knowledge_points",
        )
    kp_index = {k[0]: i for i, k in enumerate(kps)}
    tags = session.execute(
        select(ItemKp.item_id, ItemKp.knowledge_point_id, ItemKp.weight)
        .join(Item, Item.id == ItemKp.item_id)
        .where(Item.subject_id == subject_id)
    ).all()
    tagged = sorted({item_id for item_id, kp_id, _ in tags if kp_id in kp_index})
    item_index = {item_id: i for i, item_id in enumerate(tagged)}
    q = np.zeros((len(tagged) + len(kps), len(kps)))
    for item_id, kp_id, weight in tags:
        if kp_id in kp_index and weight > 0:
            q[item_index[item_id], kp_index[kp_id]] += weight
    q[len(tagged) :] = np.eye(len(kps))
    rows = session.execute(
        select(Item.id, Item.code, Item.item_type, Item.options, Item.full_score).where(
            Item.id.in_(tagged)
        )
    ).all()
    info = {r[0]: r for r in rows}
    guessing = np.zeros(len(tagged) + len(kps))
    trials = np.ones(len(tagged) + len(kps))
    for item_id, i in item_index.items():
        guessing[i] = _guessing(info[item_id][2], info[item_id][3])
        if info[item_id][2] in PARTIAL_CREDIT_TYPES:
            trials[i] = float(np.clip(np.rint(info[item_id][4] or 1.0), 1, MAX_TRIALS))
    # Items whose tags all have weight 0 get an even split over their point-level tags.
    for item_id, kp_id, _weight in tags:
        row = item_index.get(item_id)
        if row is not None and q[row].sum() == 0 and kp_id in kp_index:
            q[row, kp_index[kp_id]] = 1.0
    items = [(item_id, info[item_id][1]) for item_id in tagged]
    return subject_id, kps, items, q, guessing, trials


def _guessing(item_type: ItemType, options: list[str] | None) -> float:
    if item_type == ItemType.TRUE_FALSE:
        return TRUE_FALSE_GUESSING
    if item_type == ItemType.SINGLE_CHOICE:
        return 1.0 / max(len(options or []), DEFAULT_OPTIONS) if options else 1.0 / DEFAULT_OPTIONS
    if item_type == ItemType.MULTIPLE_CHOICE:
        return MULTIPLE_CHOICE_GUESSING
    return 0.0


def _responses(
    session: Session,
    subject_id: int,
    items: list[tuple[int, str]],
    kps: Sequence[tuple[int, str, str]],
    *,
    as_of: date | None,
    student_ids: list[int] | None,
) -> Responses:
    """Exam item scores and learning events of the subject's items and points, by time.

    Without ``student_ids`` (everyone) only the numbers are read: dates and codes are left empty.
    """
    with_provenance = student_ids is not None and len(student_ids) <= MAX_FILTERED_STUDENTS
    item_lookup = np.array([item_id for item_id, _ in items], dtype=np.int64)
    kp_lookup = np.array([kp[0] for kp in kps], dtype=np.int64)
    exam = (
        select(
            Score.student_id,
            AssessmentItem.item_id,
            Score.score / AssessmentItem.full_score,
            func.extract("epoch", Assessment.held_on),
        )
        .join(AssessmentItem, AssessmentItem.id == Score.assessment_item_id)
        .join(Assessment, Assessment.id == AssessmentItem.assessment_id)
        .where(Assessment.subject_id == subject_id, AssessmentItem.item_id.is_not(None))
        .where(AssessmentItem.full_score > 0)
    )
    events = select(
        LearningEvent.student_id,
        func.coalesce(LearningEvent.item_id, -1),
        func.coalesce(LearningEvent.knowledge_point_id, -1),
        # boolean → 1.0/0.0 explicitly: PostgreSQL does not coalesce a float with a boolean
        func.coalesce(
            LearningEvent.score, case((LearningEvent.is_correct.is_(True), 1.0), else_=0.0)
        ),
        func.extract("epoch", LearningEvent.occurred_at),
    ).where(
        # the subject's own events only: the table holds every subject's homework
        LearningEvent.item_id.in_(item_lookup.tolist())
        | LearningEvent.knowledge_point_id.in_(kp_lookup.tolist()),
        (LearningEvent.score.is_not(None)) | (LearningEvent.is_correct.is_not(None)),
    )
    if with_provenance:
        exam = exam.add_columns(Assessment.held_on, Assessment.code)
        events = events.add_columns(LearningEvent.occurred_at, LearningEvent.source)
    if as_of is not None:
        exam = exam.where(Assessment.held_on <= as_of)
        end = datetime.combine(as_of + timedelta(days=1), time(0, 0), UTC)
        events = events.where(LearningEvent.occurred_at < end)
    if with_provenance and student_ids is not None:
        exam = exam.where(Score.student_id.in_(student_ids))
        events = events.where(LearningEvent.student_id.in_(student_ids))
    # The privacy rule: responses of students it does not clear are never read.
    cleared = consent_service.cleared_student_ids(DIAGNOSIS, today=_today())
    exam = exam.where(Score.student_id.in_(cleared))
    events = events.where(LearningEvent.student_id.in_(cleared))
    # Core rows, not ORM rows: a district's evidence is millions of them
    exam_rows: Sequence[Any] = session.connection().execute(exam).all()
    event_rows: Sequence[Any] = session.connection().execute(events).all()

    def column(rows: Sequence[Any], index: int, dtype: type) -> npt.NDArray[Any]:
        return np.array([r[index] for r in rows], dtype=dtype)

    exam_item = _lookup(item_lookup, column(exam_rows, 1, np.int64))
    event_item = _lookup(item_lookup, column(event_rows, 1, np.int64))
    event_kp = _lookup(kp_lookup, column(event_rows, 2, np.int64))
    event_item = np.where(
        event_item >= 0, event_item, np.where(event_kp >= 0, len(items) + event_kp, -1)
    )
    student = np.concatenate([column(exam_rows, 0, np.int64), column(event_rows, 0, np.int64)])
    item = np.concatenate([exam_item, event_item])
    score = np.concatenate([column(exam_rows, 2, np.float64), column(event_rows, 3, np.float64)])
    seconds = np.concatenate([column(exam_rows, 3, np.float64), column(event_rows, 4, np.float64)])
    day = seconds / SECONDS_PER_DAY
    context = np.concatenate(
        [
            np.full(len(exam_rows), EXAM_CONTEXT, dtype=np.int64),
            np.full(len(event_rows), PRACTICE_CONTEXT, dtype=np.int64),
        ]
    )
    keep = (item >= 0) & ~np.isnan(score)
    if student_ids is not None:
        keep &= np.isin(student, np.asarray(student_ids, dtype=np.int64))
    if not with_provenance:
        return Responses(
            student[keep],
            item[keep],
            np.clip(score[keep], 0.0, 1.0),
            day[keep],
            context[keep],
            [],
            [],
            [],
        )
    seen_on = [r[4] for r in exam_rows] + [_day(r[5]) for r in event_rows]
    codes: list[str | None] = [r[5] for r in exam_rows] + [None] * len(event_rows)
    sources = [EXAM_SOURCE] * len(exam_rows) + [r[6] for r in event_rows]
    order = [int(i) for i in np.flatnonzero(keep)]
    order.sort(key=lambda i: seen_on[i])
    index = np.array(order, dtype=np.int64)
    return Responses(
        student_id=student[index],
        item=item[index],
        score=np.clip(score[index], 0.0, 1.0),
        day=day[index],
        context=context[index],
        seen_on=[seen_on[i] for i in order],
        assessment_code=[codes[i] for i in order],
        source=[sources[i] for i in order],
    )


def _lookup(sorted_ids: IntArray, ids: IntArray) -> IntArray:
    """Position of each id in ``sorted_ids``, or -1 where it is absent."""
    if sorted_ids.size == 0:
        return np.full(ids.size, -1, dtype=np.int64)
    position = np.clip(np.searchsorted(sorted_ids, ids), 0, sorted_ids.size - 1)
    found: IntArray = np.where(sorted_ids[position] == ids, position, -1).astype(np.int64)
    return found


def _no_responses() -> Responses:
    empty = np.zeros(0, dtype=np.int64)
    return Responses(empty, empty, np.zeros(0), np.zeros(0), empty, [], [], [])


def _subset(responses: Responses, keep: npt.NDArray[np.bool_]) -> Responses:
    return Responses(
        responses.student_id[keep],
        responses.item[keep],
        responses.score[keep],
        responses.day[keep],
        responses.context[keep],
        [],
        [],
        [],
    )


def _today() -> date:
    return datetime.now(UTC).date()


def _day(moment: datetime) -> date:
    if moment.tzinfo is None:  # SQLite returns naive datetimes, stored in UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).date()


def _item_id(fitted: FittedMastery, index: int) -> int | None:
    return fitted.item_ids[index] if index < len(fitted.item_ids) else None


def _item_code(fitted: FittedMastery, index: int) -> str | None:
    return fitted.item_codes[index] if index < len(fitted.item_codes) else None
