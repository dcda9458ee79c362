"""Online marking (网络阅卷): the one door of the capability.

Setting up (``setup_session``, ``add_answers``, ``add_check_answer``), handing out and scoring
(``next_answer``, ``submit_mark``), the item leader's work (``arbitrate``, ``return_problem``,
``send_back``, ``close_task``) and the reports (``progress``, ``marker_quality``, re-exported from
``marking.quality``). Services check scope and never commit.

Concurrency, on SQLite and PostgreSQL alike: a claim is an INSERT guarded by two unique keys
(one live mark per slot, one live mark per marker on an answer), retried on the next answer when
another marker got there first; a submission is a conditional UPDATE (``submitted_at IS NULL``)
whose row count says whether the claim was still held; the answer's decision is taken under its
row lock, after every mark it depends on is committed. Claims left unsubmitted for the session's
``claim_timeout_s`` are deleted by the next hand-out and the answer goes to someone else.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path, PurePosixPath

from sqlalchemy import CursorResult, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from yincai.accounts.actors import Actor
from yincai.accounts.models import UserAccount
from yincai.db import lock_for_write
from yincai.domain.models import Assessment, AssessmentItem, Item, Sitting, Student
from yincai.errors import Conflict, Forbidden, Invalid, NotFound
from yincai.governance import service as governance_service
from yincai.hub import service as hub_service
from yincai.i18n import Message, _
from yincai.marking.models import (
    AnswerStatus,
    MarkFlag,
    MarkingAnswer,
    MarkingArbitration,
    MarkingMark,
    MarkingMode,
    MarkingSession,
    MarkingTask,
    MarkingTaskMarker,
    SessionStatus,
    TaskStatus,
)
from yincai.marking.quality import MarkerQuality, TaskProgress, marker_quality_of, progress_of
from yincai.marking.rules import BASE_MARKS, Decision, check_score, check_tolerance, decide

__all__ = [
    "AnswerInput",
    "Claim",
    "MarkerQuality",
    "MarkingSession",
    "QueueEntry",
    "SetupView",
    "TaskProgress",
    "TaskSpec",
    "add_answers",
    "add_check_answer",
    "answer_image",
    "arbitrate",
    "arbitration_queue",
    "close_task",
    "get_session",
    "marker_quality",
    "my_tasks",
    "next_answer",
    "progress",
    "propose_machine_scores",
    "reopen_task",
    "return_problem",
    "send_back",
    "setup_session",
    "setup_view",
    "submit_mark",
    "task_marker_ids",
    "task_progress",
]

DEFAULT_CLAIM_TIMEOUT_S = 20 * 60  # a marker who walks away for 20 minutes loses the answer
CANDIDATES = 40  # answers looked at per hand-out (markers start at different ones)
MACHINE_VERDICTS = ("equal", "different", "uncertain")
CLAIM_LOST = _("这份答卷已经提交，或领取超时已交给其他老师")
Judge = Callable[[str, str], str]
"""``judge(answer_text, key) -> "equal" | "different" | "uncertain"`` (machine help)."""


@dataclass(frozen=True)
class TaskSpec:
    """One item to mark: its tolerance, markers and item leader (user account ids)."""

    assessment_item_id: int
    tolerance: float
    marker_ids: tuple[int, ...]
    leader_id: int | None = None
    answer_key: str | None = None


@dataclass(frozen=True)
class AnswerInput:
    """One student's crop of one item: PNG bytes or a path under the data folder."""

    student_id: int
    image: bytes | None = None
    image_path: str | None = None
    recognised_text: str | None = None


@dataclass(frozen=True)
class Claim:
    """What a marker sees of the answer handed to them: never who wrote it."""

    mark_id: int
    answer_id: int
    task_id: int
    item_label: str
    full_score: float
    image: bytes | None
    image_path: str | None
    recognised_text: str | None
    machine_score: float | None
    n_marked_by_me: int
    n_left: int


# --- scope -----------------------------------------------------------------------------------


def get_session(session: Session, *, actor: Actor, assessment_id: int) -> MarkingSession | None:
    """The assessment's marking session (None before setup), for those who may set it up."""
    governance_service.require_score_editor(session, actor=actor, assessment_id=assessment_id)
    return session.scalar(
        select(MarkingSession).where(MarkingSession.assessment_id == assessment_id)
    )


def _task(session: Session, task_id: int) -> tuple[MarkingTask, MarkingSession, AssessmentItem]:
    task = session.get(MarkingTask, task_id)
    if task is None:
        raise NotFound(_("阅卷任务 {id} 不存在").format(id=task_id), code="marking.task_not_found")
    marking = session.get_one(MarkingSession, task.marking_session_id)
    item = session.get_one(AssessmentItem, task.assessment_item_id)
    return task, marking, item


def _require_marker(session: Session, actor: Actor, task: MarkingTask) -> UserAccount:
    if not isinstance(actor, UserAccount) or not actor.is_active:
        raise Forbidden(_("只有阅卷教师可以评分"), code="marking.not_marker")
    governance_service.require_role(actor, *governance_service.STAFF_ROLES)
    assigned = session.get(MarkingTaskMarker, (task.id, actor.id))
    if assigned is None:
        raise Forbidden(_("您不是这道题的阅卷教师"), code="marking.not_marker")
    return actor


def _require_leader(
    session: Session, actor: Actor, task: MarkingTask, marking: MarkingSession
) -> None:
    """The item leader, or whoever may set up the marking of the assessment."""
    if isinstance(actor, UserAccount) and actor.is_active and actor.id == task.leader_id:
        return
    governance_service.require_score_editor(
        session, actor=actor, assessment_id=marking.assessment_id
    )


# --- setup -----------------------------------------------------------------------------------


def setup_session(
    session: Session,
    *,
    actor: Actor,
    assessment_id: int,
    mode: MarkingMode | str,
    tasks: Sequence[TaskSpec],
    claim_timeout_s: int = DEFAULT_CLAIM_TIMEOUT_S,
) -> MarkingSession:
    """Create or change the marking of an assessment: mode, and per item its tolerance,
    markers and leader. The mode cannot change once marks exist."""
    governance_service.require_score_editor(session, actor=actor, assessment_id=assessment_id)
    assessment = session.get_one(Assessment, assessment_id)
    try:
        mode = MarkingMode(mode)
    except ValueError:
        raise Invalid(_("请选择阅卷模式"), code="marking.mode_invalid") from None
    if not 60 <= claim_timeout_s <= 24 * 3600:
        raise Invalid(_("领取超时应在 1 分钟到 24 小时之间"), code="marking.timeout_invalid")
    if not tasks:
        raise Invalid(_("请至少选择一道主观题"), code="marking.no_items")
    items = {item.id: item for item in assessment.items}
    staff = _staff_ids(session, assessment.district_id)
    needed = {MarkingMode.SINGLE: 1, MarkingMode.DOUBLE: 2, MarkingMode.DOUBLE_THIRD: 3}[mode]
    problems: list[str] = []
    for spec in tasks:
        item = items.get(spec.assessment_item_id)
        if item is None:
            problems.append(_("小题 {id} 不属于本次考试").format(id=spec.assessment_item_id))
            continue
        try:
            check_tolerance(spec.tolerance, item.full_score)
        except Invalid as problem:
            problems.append(_("第{label}题：").format(label=item.label) + problem.message)
        if len(set(spec.marker_ids)) < needed:
            problems.append(
                _("第{label}题：该模式至少需要 {n} 位阅卷教师").format(label=item.label, n=needed)
            )
        if any(marker not in staff for marker in spec.marker_ids) or (
            spec.leader_id is not None and spec.leader_id not in staff
        ):
            problems.append(_("第{label}题：阅卷教师须为本区的教职工账号").format(label=item.label))
    if problems:
        raise Invalid("；".join(problems), code="marking.setup_invalid", details=problems)
    marking = session.scalar(
        select(MarkingSession).where(MarkingSession.assessment_id == assessment_id)
    )
    if marking is None:
        marking = MarkingSession(
            assessment_id=assessment_id,
            mode=mode,
            status=SessionStatus.OPEN,
            claim_timeout_s=claim_timeout_s,
            created_by=actor.id if isinstance(actor, UserAccount) else None,
            created_at=datetime.now(UTC),
        )
        session.add(marking)
        session.flush()
    elif marking.mode is not mode and _has_marks(session, marking.id):
        raise Conflict(_("已经开始评分，不能再更改阅卷模式"), code="marking.mode_locked")
    marking.mode = mode
    marking.claim_timeout_s = claim_timeout_s
    for spec in tasks:
        _upsert_task(session, marking, spec, items[spec.assessment_item_id])
    session.flush()
    governance_service.audit(
        session,
        actor=actor,
        action="marking_setup",
        object_type="assessment",
        object_id=assessment_id,
    )
    return marking


def _staff_ids(session: Session, district_id: int) -> set[int]:
    return set(
        session.scalars(
            select(UserAccount.id).where(
                UserAccount.district_id == district_id,
                UserAccount.is_active.is_(True),
                UserAccount.role.in_(governance_service.STAFF_ROLES),
            )
        )
    )


def _has_marks(session: Session, marking_session_id: int) -> bool:
    tasks = select(MarkingTask.id).where(MarkingTask.marking_session_id == marking_session_id)
    answers = select(MarkingAnswer.id).where(MarkingAnswer.marking_task_id.in_(tasks))
    found = session.scalar(
        select(MarkingMark.id).where(MarkingMark.marking_answer_id.in_(answers)).limit(1)
    )
    return found is not None


def _upsert_task(
    session: Session, marking: MarkingSession, spec: TaskSpec, item: AssessmentItem
) -> None:
    task = session.scalar(
        select(MarkingTask).where(
            MarkingTask.marking_session_id == marking.id,
            MarkingTask.assessment_item_id == item.id,
        )
    )
    key = spec.answer_key
    if key is None and item.item_id is not None:
        bank_item = session.get(Item, item.item_id)
        if bank_item is not None and bank_item.item_type.value == "fill_in":
            key = bank_item.answer
    if task is None:
        task = MarkingTask(
            marking_session_id=marking.id,
            assessment_item_id=item.id,
            status=TaskStatus.OPEN,
            tolerance=spec.tolerance,
        )
        session.add(task)
        session.flush()
    elif task.status is TaskStatus.CLOSED:
        raise Conflict(
            _("第{label}题已结束阅卷，不能再更改").format(label=item.label),
            code="marking.task_closed",
        )
    task.tolerance = spec.tolerance
    task.leader_id = spec.leader_id
    task.answer_key = key
    session.execute(delete(MarkingTaskMarker).where(MarkingTaskMarker.marking_task_id == task.id))
    session.add_all(
        MarkingTaskMarker(marking_task_id=task.id, user_account_id=marker)
        for marker in sorted(set(spec.marker_ids))
    )


def add_answers(
    session: Session,
    *,
    actor: Actor,
    task_id: int,
    answers: Sequence[AnswerInput],
    seed: int | None = None,
) -> int:
    """Add students' crops to a task (students who sat the assessment); how many were added."""
    task, marking, _item = _task(session, task_id)
    governance_service.require_score_editor(
        session, actor=actor, assessment_id=marking.assessment_id
    )
    _require_open(task)
    district_id = session.get_one(Assessment, marking.assessment_id).district_id
    wanted = [a.student_id for a in answers]
    known = set(
        session.scalars(
            select(Student.id).where(Student.district_id == district_id, Student.id.in_(wanted))
        )
    )
    absent = set(
        session.scalars(
            select(Sitting.student_id).where(
                Sitting.assessment_id == marking.assessment_id,
                Sitting.is_absent.is_(True),
                Sitting.student_id.in_(wanted),
            )
        )
    )
    problems = [
        _("学生 {id} 不在本区名单中").format(id=a.student_id)
        for a in answers
        if a.student_id not in known
    ]
    problems += [
        _("学生 {id} 记为缺考").format(id=a.student_id) for a in answers if a.student_id in absent
    ]
    for a in answers:
        if (a.image is None) == (a.image_path is None):
            problems.append(_("学生 {id} 的答题图片缺失").format(id=a.student_id))
        elif a.image_path is not None:
            _check_image_path(a.image_path, problems)
    if problems:
        raise Invalid("；".join(problems[:20]), code="marking.answers_invalid", details=problems)
    rng = random.Random(seed)
    base = BASE_MARKS[marking.mode]
    rows = [
        MarkingAnswer(
            marking_task_id=task.id,
            student_id=a.student_id,
            queue_position=rng.randrange(1_000_000_000),
            image=a.image,
            image_path=a.image_path,
            recognised_text=a.recognised_text,
            is_check=False,
            n_required=base,
            status=AnswerStatus.MARKING,
        )
        for a in answers
    ]
    try:
        with session.begin_nested():  # flushes what is pending first: add the rows inside
            session.add_all(rows)
            session.flush()
    except IntegrityError:
        raise Conflict(_("有学生的答卷已经加入这道题"), code="marking.answer_duplicate") from None
    return len(rows)


def _check_image_path(path: str, problems: list[Message]) -> None:
    parts = PurePosixPath(path).parts
    if path.startswith("/") or ".." in parts or not parts:
        problems.append(_("图片路径须在数据目录之内：{path}").format(path=path))


def add_check_answer(
    session: Session,
    *,
    actor: Actor,
    task_id: int,
    image: bytes,
    known_score: float,
    recognised_text: str | None = None,
    seed: int | None = None,
) -> MarkingAnswer:
    """Seed a check answer with a known score: every marker gets it, unaware, once."""
    task, marking, item = _task(session, task_id)
    _require_leader(session, actor, task, marking)
    _require_open(task)
    check_score(known_score, item.full_score)
    answer = MarkingAnswer(
        marking_task_id=task.id,
        student_id=None,
        queue_position=random.Random(seed).randrange(1_000_000_000),
        image=image,
        recognised_text=recognised_text,
        is_check=True,
        known_score=known_score,
        n_required=0,
        status=AnswerStatus.MARKING,
    )
    session.add(answer)
    session.flush()
    return answer


def propose_machine_scores(session: Session, *, actor: Actor, task_id: int, judge: Judge) -> int:
    """Machine help for a fill-in item with a key: propose full marks where ``judge`` finds the
    recognised answer equal to the key, 0 where different; uncertain ones get no proposal.
    A proposal is shown to markers labelled as the machine's and counts only through their
    mark. Returns how many answers got a proposal."""
    task, marking, item = _task(session, task_id)
    _require_leader(session, actor, task, marking)
    _require_open(task)
    if not task.answer_key:
        raise Invalid(_("这道题没有标准答案，无法机器辅助评分"), code="marking.no_key")
    n = 0
    answers = session.scalars(
        select(MarkingAnswer).where(
            MarkingAnswer.marking_task_id == task.id,
            MarkingAnswer.recognised_text.is_not(None),
        )
    )
    for answer in answers:
        verdict = judge(answer.recognised_text or "", task.answer_key)
        if verdict not in MACHINE_VERDICTS:
            raise ValueError(f"judge returned {verdict!r}, not one of {MACHINE_VERDICTS}")
        answer.machine_verdict = verdict
        answer.machine_score = {"equal": item.full_score, "different": 0.0}.get(verdict)
        n += answer.machine_score is not None
    session.flush()
    return n


def _require_open(task: MarkingTask) -> None:
    if task.status is TaskStatus.CLOSED:
        raise Conflict(_("这道题已结束阅卷"), code="marking.task_closed")


# --- marking ---------------------------------------------------------------------------------


def my_tasks(session: Session, *, actor: Actor) -> list[tuple[MarkingTask, Assessment, str]]:
    """The tasks the actor marks or leads, with their assessment and item label (staff only)."""
    governance_service.require_role(actor, *governance_service.STAFF_ROLES)
    if not isinstance(actor, UserAccount):
        return []
    marked = select(MarkingTaskMarker.marking_task_id).where(
        MarkingTaskMarker.user_account_id == actor.id
    )
    rows = session.execute(
        select(MarkingTask, Assessment, AssessmentItem.label)
        .join(MarkingSession, MarkingSession.id == MarkingTask.marking_session_id)
        .join(Assessment, Assessment.id == MarkingSession.assessment_id)
        .join(AssessmentItem, AssessmentItem.id == MarkingTask.assessment_item_id)
        .where((MarkingTask.id.in_(marked)) | (MarkingTask.leader_id == actor.id))
        .order_by(Assessment.held_on.desc(), AssessmentItem.position)
    ).all()
    return [(task, assessment, label) for task, assessment, label in rows]


def next_answer(
    session: Session, *, actor: Actor, task_id: int, now: datetime | None = None
) -> Claim | None:
    """Hand the marker their next answer (the one they hold, if any); None when none is left
    for them. Never an answer they marked, never a slot another marker holds."""
    task, marking, item = _task(session, task_id)
    marker = _require_marker(session, actor, task)
    _require_open(task)
    now = now or datetime.now(UTC)
    cutoff = now - timedelta(seconds=marking.claim_timeout_s)
    in_task = select(MarkingAnswer.id).where(MarkingAnswer.marking_task_id == task.id)
    held = session.scalar(
        select(MarkingMark)
        .where(
            MarkingMark.marking_answer_id.in_(in_task),
            MarkingMark.live_marker_id == marker.id,
            MarkingMark.submitted_at.is_(None),
            MarkingMark.claimed_at >= cutoff,
        )
        .limit(1)
    )
    if held is not None:
        return _claim(session, held, task, item, marker.id)
    session.execute(
        delete(MarkingMark)
        .where(
            MarkingMark.marking_answer_id.in_(in_task),
            MarkingMark.submitted_at.is_(None),
            MarkingMark.claimed_at < cutoff,
        )
        .execution_options(synchronize_session=False)
    )
    for _attempt in range(3):
        candidates = _candidates(session, task.id, marker.id)
        if not candidates:
            return None
        start = random.randrange(len(candidates))  # concurrent markers start apart
        for answer_id, slot in candidates[start:] + candidates[:start]:
            mark = MarkingMark(
                marking_answer_id=answer_id,
                marker_id=marker.id,
                slot=slot,
                live_slot=slot or None,
                live_marker_id=marker.id,
                claimed_at=now,
            )
            try:
                with session.begin_nested():
                    session.add(mark)
                    session.flush()
            except IntegrityError:
                continue  # another marker took this slot first
            return _claim(session, mark, task, item, marker.id)
    return None


def _candidates(session: Session, task_id: int, marker_id: int) -> list[tuple[int, int]]:
    """(answer id, free slot) of answers needing a mark this marker may give; slot 0: check."""
    in_task = select(MarkingAnswer.id).where(MarkingAnswer.marking_task_id == task_id)
    live = (
        select(MarkingMark.marking_answer_id, func.count().label("n"))
        .where(MarkingMark.live_marker_id.is_not(None), MarkingMark.marking_answer_id.in_(in_task))
        .group_by(MarkingMark.marking_answer_id)
        .subquery()
    )
    mine = select(MarkingMark.marking_answer_id).where(
        MarkingMark.live_marker_id == marker_id, MarkingMark.marking_answer_id.in_(in_task)
    )
    n_live = func.coalesce(live.c.n, 0)
    rows = session.execute(
        select(MarkingAnswer.id, MarkingAnswer.is_check, MarkingAnswer.n_required)
        .outerjoin(live, live.c.marking_answer_id == MarkingAnswer.id)
        .where(
            MarkingAnswer.marking_task_id == task_id,
            MarkingAnswer.status == AnswerStatus.MARKING,
            MarkingAnswer.id.not_in(mine),
            MarkingAnswer.is_check | (n_live < MarkingAnswer.n_required),
        )
        .order_by(MarkingAnswer.queue_position)
        .limit(CANDIDATES)
    ).all()
    real = [answer_id for answer_id, is_check, _required in rows if not is_check]
    taken: dict[int, set[int]] = {}
    for answer_id, slot in session.execute(
        select(MarkingMark.marking_answer_id, MarkingMark.live_slot).where(
            MarkingMark.marking_answer_id.in_(real), MarkingMark.live_slot.is_not(None)
        )
    ):
        if slot is not None:
            taken.setdefault(answer_id, set()).add(slot)
    found = []
    for answer_id, is_check, required in rows:
        if is_check:
            found.append((answer_id, 0))
            continue
        # Read after the candidates: on PostgreSQL other markers may have filled them since.
        # Only up to the marks required as read (it only grows, so a stale read is safe).
        free = [s for s in range(1, required + 1) if s not in taken.get(answer_id, set())]
        if free:
            found.append((answer_id, free[0]))
    return found


def _claim(
    session: Session, mark: MarkingMark, task: MarkingTask, item: AssessmentItem, marker_id: int
) -> Claim:
    answer = session.get_one(MarkingAnswer, mark.marking_answer_id)
    mine = select(MarkingMark.marking_answer_id).where(MarkingMark.live_marker_id == marker_id)
    n_marked = session.scalar(
        select(func.count())
        .select_from(MarkingMark)
        .join(MarkingAnswer, MarkingAnswer.id == MarkingMark.marking_answer_id)
        .where(
            MarkingAnswer.marking_task_id == task.id,
            MarkingMark.live_marker_id == marker_id,
            MarkingMark.submitted_at.is_not(None),
        )
    )
    n_left = session.scalar(
        select(func.count())
        .select_from(MarkingAnswer)
        .where(
            MarkingAnswer.marking_task_id == task.id,
            MarkingAnswer.status == AnswerStatus.MARKING,
            MarkingAnswer.id.not_in(mine),
        )
    )
    return Claim(
        mark_id=mark.id,
        answer_id=answer.id,
        task_id=task.id,
        item_label=item.label,
        full_score=item.full_score,
        image=answer.image,
        image_path=answer.image_path,
        recognised_text=answer.recognised_text,
        machine_score=answer.machine_score,
        n_marked_by_me=int(n_marked or 0),
        n_left=int(n_left or 0),
    )


def answer_image(claim: Claim, data_dir: Path) -> bytes | None:
    """The crop's bytes, read from the data folder when stored as a file (None if missing)."""
    if claim.image is not None:
        return claim.image
    if claim.image_path is None:
        return None
    path = (data_dir / claim.image_path).resolve()
    if not path.is_relative_to(data_dir.resolve()) or not path.is_file():
        return None
    return path.read_bytes()


def submit_mark(
    session: Session,
    *,
    actor: Actor,
    mark_id: int,
    answer_id: int,
    score: float | None,
    flag: MarkFlag | str | None = None,
    now: datetime | None = None,
) -> Decision | None:
    """Record the marker's score (or flag) for the answer they hold; what it decides for the
    answer (None for a check answer). Conflict if the claim expired or was already submitted."""
    mark = session.get(MarkingMark, mark_id)
    # An expired claim is deleted by the next hand-out, and its id may be used again (SQLite):
    # the mark must still be this marker's claim of this answer.
    if (
        mark is None
        or not isinstance(actor, UserAccount)
        or mark.marker_id != actor.id
        or mark.marking_answer_id != answer_id
    ):
        raise Conflict(CLAIM_LOST, code="marking.claim_lost")
    answer = session.get_one(MarkingAnswer, mark.marking_answer_id)
    task, marking, item = _task(session, answer.marking_task_id)
    _require_marker(session, actor, task)
    _require_open(task)
    if flag is not None and flag != "":
        try:
            flag = MarkFlag(flag)
        except ValueError:
            raise Invalid(_("未知的问题卷类型"), code="marking.flag_invalid") from None
        score = None
    else:
        flag = None
        if score is None:
            raise Invalid(_("请输入分数"), code="marking.score_missing")
        check_score(score, item.full_score)
    now = now or datetime.now(UTC)
    lock_for_write(session, MarkingAnswer, answer.id)
    claimed_at = _aware(mark.claimed_at)
    result = session.execute(
        update(MarkingMark)
        .where(
            MarkingMark.id == mark_id,
            MarkingMark.marker_id == actor.id,
            MarkingMark.submitted_at.is_(None),
            MarkingMark.live_marker_id.is_not(None),
        )
        .values(
            score=score,
            flag=flag,
            submitted_at=now,
            seconds_spent=max(0.0, (now - claimed_at).total_seconds()),
            machine_score_shown=answer.machine_score,
        )
        .execution_options(synchronize_session=False)
    )
    assert isinstance(result, CursorResult)
    if result.rowcount != 1:
        raise Conflict(_("这份答卷已经提交，或领取超时已交给其他老师"), code="marking.claim_lost")
    if answer.is_check:
        return None
    return _redecide(session, answer.id, marking.mode, task.tolerance)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _redecide(session: Session, answer_id: int, mode: MarkingMode, tolerance: float) -> Decision:
    """Work out the answer's state from its live submitted marks (the caller holds its lock)."""
    marks = session.execute(
        select(MarkingMark.live_slot, MarkingMark.score, MarkingMark.flag).where(
            MarkingMark.marking_answer_id == answer_id,
            MarkingMark.live_slot.is_not(None),
            MarkingMark.submitted_at.is_not(None),
        )
    ).all()
    scores = {
        slot: score
        for slot, score, flag in marks
        if flag is None and slot is not None and score is not None
    }
    decision = decide(mode, tolerance, scores, is_flagged=any(m.flag is not None for m in marks))
    arbitrated = session.scalar(
        select(MarkingArbitration.score).where(MarkingArbitration.marking_answer_id == answer_id)
    )
    if arbitrated is not None:
        decision = Decision(AnswerStatus.DONE, decision.n_required, arbitrated)
    session.execute(
        update(MarkingAnswer)
        .where(MarkingAnswer.id == answer_id)
        .values(
            status=decision.status,
            n_required=decision.n_required,
            final_score=decision.final_score,
        )
        .execution_options(synchronize_session=False)
    )
    session.expire_all()
    return decision


# --- the item leader -------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueEntry:
    """An answer waiting for the leader, with its marks (marker names, never the student's)."""

    answer_id: int
    status: AnswerStatus
    marks: list[tuple[str, float | None, MarkFlag | None]]
    image: bytes | None
    image_path: str | None
    recognised_text: str | None


def arbitration_queue(
    session: Session, *, actor: Actor, task_id: int, status: AnswerStatus, limit: int = 50
) -> list[QueueEntry]:
    """Answers in arbitration (disagreeing marks) or flagged as problems, oldest first."""
    task, marking, _item = _task(session, task_id)
    _require_leader(session, actor, task, marking)
    if status not in (AnswerStatus.ARBITRATION, AnswerStatus.PROBLEM):
        raise Invalid(_("未知的队列"), code="marking.queue_invalid")
    answers = session.scalars(
        select(MarkingAnswer)
        .where(MarkingAnswer.marking_task_id == task.id, MarkingAnswer.status == status)
        .order_by(MarkingAnswer.id)
        .limit(limit)
    ).all()
    names = dict(
        session.execute(
            select(UserAccount.id, UserAccount.display_name)
            .join(MarkingTaskMarker, MarkingTaskMarker.user_account_id == UserAccount.id)
            .where(MarkingTaskMarker.marking_task_id == task.id)
        ).all()
    )
    marks: dict[int, list[tuple[str, float | None, MarkFlag | None]]] = {}
    for answer_id, marker_id, score, flag in session.execute(
        select(
            MarkingMark.marking_answer_id,
            MarkingMark.marker_id,
            MarkingMark.score,
            MarkingMark.flag,
        )
        .where(
            MarkingMark.marking_answer_id.in_([a.id for a in answers]),
            MarkingMark.live_slot.is_not(None),
            MarkingMark.submitted_at.is_not(None),
        )
        .order_by(MarkingMark.live_slot)
    ):
        marks.setdefault(answer_id, []).append((names.get(marker_id, "?"), score, flag))
    return [
        QueueEntry(a.id, a.status, marks.get(a.id, []), a.image, a.image_path, a.recognised_text)
        for a in answers
    ]


def arbitrate(
    session: Session, *, actor: Actor, answer_id: int, score: float, note: str = ""
) -> MarkingArbitration:
    """The leader's final score for an answer in arbitration or flagged as a problem."""
    answer = session.get(MarkingAnswer, answer_id)
    if answer is None:
        raise NotFound(_("答卷 {id} 不存在").format(id=answer_id), code="marking.answer_not_found")
    task, marking, item = _task(session, answer.marking_task_id)
    _require_leader(session, actor, task, marking)
    _require_open(task)
    check_score(score, item.full_score)
    if not isinstance(actor, UserAccount):
        raise Forbidden(_("只有题组长可以仲裁"), code="marking.not_leader")
    lock_for_write(session, MarkingAnswer, answer.id)
    session.refresh(answer)
    if answer.status not in (AnswerStatus.ARBITRATION, AnswerStatus.PROBLEM):
        raise Conflict(_("这份答卷不需要仲裁"), code="marking.not_in_arbitration")
    record = MarkingArbitration(
        marking_answer_id=answer.id,
        leader_id=actor.id,
        reason="problem" if answer.status is AnswerStatus.PROBLEM else "disagreement",
        score=score,
        note=note[:500],
        decided_at=datetime.now(UTC),
    )
    session.add(record)
    answer.status = AnswerStatus.DONE
    answer.final_score = score
    session.flush()
    governance_service.audit(
        session,
        actor=actor,
        action="marking_arbitrate",
        object_type="marking_answer",
        object_id=answer.id,
    )
    return record


def return_problem(session: Session, *, actor: Actor, answer_id: int) -> Decision:
    """Send a flagged answer back to the markers (the flags were wrong): flagged marks void."""
    answer = session.get(MarkingAnswer, answer_id)
    if answer is None:
        raise NotFound(_("答卷 {id} 不存在").format(id=answer_id), code="marking.answer_not_found")
    task, marking, _item = _task(session, answer.marking_task_id)
    _require_leader(session, actor, task, marking)
    _require_open(task)
    lock_for_write(session, MarkingAnswer, answer.id)
    flagged = session.scalars(
        select(MarkingMark.id).where(
            MarkingMark.marking_answer_id == answer.id,
            MarkingMark.live_slot.is_not(None),
            MarkingMark.flag.is_not(None),
        )
    ).all()
    if not flagged:
        raise Conflict(_("这份答卷没有被标记为问题卷"), code="marking.not_a_problem")
    _void(session, answer.id, list(flagged))
    return _redecide(session, answer.id, marking.mode, task.tolerance)


def send_back(session: Session, *, actor: Actor, task_id: int, marker_id: int) -> int:
    """Void every mark a marker gave in this task (their answers go back to be marked again,
    arbitrations they caused are undone); how many marks were voided."""
    task, marking, _item = _task(session, task_id)
    _require_leader(session, actor, task, marking)
    _require_open(task)
    lock_for_write(session, MarkingTask, task.id)
    rows = session.execute(
        select(MarkingMark.id, MarkingMark.marking_answer_id)
        .join(MarkingAnswer, MarkingAnswer.id == MarkingMark.marking_answer_id)
        .where(
            MarkingAnswer.marking_task_id == task.id,
            MarkingMark.marker_id == marker_id,
            MarkingMark.live_marker_id.is_not(None),
            MarkingMark.submitted_at.is_not(None),
        )
    ).all()
    by_answer: dict[int, list[int]] = {}
    for mark_id, answer_id in rows:
        by_answer.setdefault(answer_id, []).append(mark_id)
    for answer_id, mark_ids in sorted(by_answer.items()):
        lock_for_write(session, MarkingAnswer, answer_id)
        session.execute(
            delete(MarkingArbitration).where(MarkingArbitration.marking_answer_id == answer_id)
        )
        _void(session, answer_id, mark_ids)
        if not session.get_one(MarkingAnswer, answer_id).is_check:
            _redecide(session, answer_id, marking.mode, task.tolerance)
    governance_service.audit(
        session,
        actor=actor,
        action="marking_send_back",
        object_type="marking_task",
        object_id=task.id,
    )
    return len(rows)


def _void(session: Session, answer_id: int, mark_ids: list[int]) -> None:
    """Void marks and renumber the answer's remaining live slots 1, 2, … (no gaps)."""
    now = datetime.now(UTC)
    session.execute(
        update(MarkingMark)
        .where(MarkingMark.id.in_(mark_ids))
        .values(live_slot=None, live_marker_id=None, voided_at=now)
        .execution_options(synchronize_session=False)
    )
    remaining = session.execute(
        select(MarkingMark.id, MarkingMark.live_slot)
        .where(MarkingMark.marking_answer_id == answer_id, MarkingMark.live_slot.is_not(None))
        .order_by(MarkingMark.live_slot)
    ).all()
    if all(slot == index for index, (_id, slot) in enumerate(remaining, start=1)):
        return
    ids = [mark_id for mark_id, _slot in remaining]
    session.execute(
        update(MarkingMark)
        .where(MarkingMark.id.in_(ids))
        .values(live_slot=None)
        .execution_options(synchronize_session=False)
    )
    for index, mark_id in enumerate(ids, start=1):
        session.execute(
            update(MarkingMark)
            .where(MarkingMark.id == mark_id)
            .values(live_slot=index, slot=index)
            .execution_options(synchronize_session=False)
        )


def close_task(session: Session, *, actor: Actor, task_id: int) -> hub_service.ImportSummary:
    """Close a fully marked item: its final scores go into the hub as a score import (with the
    import history, revertible) and each student's total is recomputed. The caller queues the
    mastery refresh after committing, as after any import."""
    task, marking, item = _task(session, task_id)
    _require_leader(session, actor, task, marking)
    _require_open(task)
    lock_for_write(session, MarkingTask, task.id)
    counts = dict(
        session.execute(
            select(MarkingAnswer.status, func.count())
            .where(MarkingAnswer.marking_task_id == task.id, MarkingAnswer.is_check.is_(False))
            .group_by(MarkingAnswer.status)
        ).all()
    )
    n_open = sum(n for status, n in counts.items() if status is not AnswerStatus.DONE)
    if n_open:
        raise Conflict(
            _("还有 {n} 份答卷没有评完（含仲裁与问题卷），不能结束阅卷").format(n=n_open),
            code="marking.task_incomplete",
        )
    if not counts:
        raise Conflict(_("这道题还没有答卷"), code="marking.task_empty")
    scores = {
        student_id: score
        for student_id, score in session.execute(
            select(MarkingAnswer.student_id, MarkingAnswer.final_score).where(
                MarkingAnswer.marking_task_id == task.id, MarkingAnswer.is_check.is_(False)
            )
        )
        if student_id is not None and score is not None
    }
    summary = hub_service.import_marked_scores(
        session,
        assessment_item_id=item.id,
        scores=scores,
        file_name=str(_("网络阅卷 第{label}题").format(label=item.label)),
        user_account_id=actor.id if isinstance(actor, UserAccount) else None,
    )
    task.status = TaskStatus.CLOSED
    task.closed_at = datetime.now(UTC)
    task.import_batch_id = summary.batch_id
    session.flush()
    still_open = session.scalar(
        select(func.count())
        .select_from(MarkingTask)
        .where(MarkingTask.marking_session_id == marking.id, MarkingTask.status == TaskStatus.OPEN)
    )
    if not still_open:
        marking.status = SessionStatus.CLOSED
    governance_service.audit(
        session,
        actor=actor,
        action="marking_close",
        object_type="marking_task",
        object_id=task.id,
    )
    return summary


def reopen_task(session: Session, *, actor: Actor, task_id: int) -> None:
    """Open a closed item again (after its import was reverted, or to correct scores); closing
    it again writes its scores as a new import."""
    task, marking, _item = _task(session, task_id)
    _require_leader(session, actor, task, marking)
    if task.status is not TaskStatus.CLOSED:
        raise Conflict(_("这道题还在阅卷中"), code="marking.task_open")
    task.status = TaskStatus.OPEN
    task.closed_at = None
    marking.status = SessionStatus.OPEN
    session.flush()
    governance_service.audit(
        session,
        actor=actor,
        action="marking_reopen",
        object_type="marking_task",
        object_id=task.id,
    )


# --- reports ---------------------------------------------------------------------------------


def progress(session: Session, *, actor: Actor, assessment_id: int) -> list[TaskProgress]:
    """Progress of every item of the assessment's marking, per item and per marker."""
    marking = get_session(session, actor=actor, assessment_id=assessment_id)
    if marking is None:
        raise NotFound(_("这次考试还没有设置网络阅卷"), code="marking.session_not_found")
    return progress_of(session, marking.id)


def task_progress(session: Session, *, actor: Actor, task_id: int) -> TaskProgress:
    """Progress of one item, for its leader."""
    task, marking, _item = _task(session, task_id)
    _require_leader(session, actor, task, marking)
    return next(p for p in progress_of(session, marking.id) if p.task_id == task.id)


def marker_quality(session: Session, *, actor: Actor, task_id: int) -> list[MarkerQuality]:
    """Each marker's mean and spread against the others, agreement, speed and check accuracy."""
    task, marking, _item = _task(session, task_id)
    _require_leader(session, actor, task, marking)
    return marker_quality_of(session, task.id, task.tolerance)


def task_marker_ids(session: Session, task_id: int) -> set[int]:
    """The accounts assigned to mark a task (for the setup form)."""
    return set(
        session.scalars(
            select(MarkingTaskMarker.user_account_id).where(
                MarkingTaskMarker.marking_task_id == task_id
            )
        )
    )


@dataclass(frozen=True)
class SetupView:
    """What the setup page shows: the items, the current setup and the staff to choose from."""

    assessment: Assessment
    items: list[AssessmentItem]
    marking: MarkingSession | None
    tasks: dict[int, MarkingTask]  # by assessment item id
    markers: dict[int, set[int]]  # task id → marker account ids
    progress: list[TaskProgress]
    staff: list[UserAccount]


def setup_view(session: Session, *, actor: Actor, assessment_id: int) -> SetupView:
    """The marking setup of an assessment, for those who may set it up."""
    marking = get_session(session, actor=actor, assessment_id=assessment_id)
    assessment = session.get_one(Assessment, assessment_id)
    tasks: dict[int, MarkingTask] = {}
    progress: list[TaskProgress] = []
    if marking is not None:
        tasks = {
            task.assessment_item_id: task
            for task in session.scalars(
                select(MarkingTask).where(MarkingTask.marking_session_id == marking.id)
            )
        }
        progress = progress_of(session, marking.id)
    staff = session.scalars(
        select(UserAccount)
        .where(
            UserAccount.district_id == assessment.district_id,
            UserAccount.is_active.is_(True),
            UserAccount.role.in_(governance_service.STAFF_ROLES),
        )
        .order_by(UserAccount.display_name)
    ).all()
    return SetupView(
        assessment=assessment,
        items=list(assessment.items),
        marking=marking,
        tasks=tasks,
        markers={task.id: task_marker_ids(session, task.id) for task in tasks.values()},
        progress=progress,
        staff=list(staff),
    )
