"""The item leader's work: arbitration and problem queues, sending a marker's work back, closing
an item into the hub's score import (and reopening it), progress and marker quality."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from yincai.accounts.actors import Actor
from yincai.accounts.models import UserAccount
from yincai.db import lock_for_write
from yincai.errors import Conflict, Forbidden, Invalid, NotFound
from yincai.governance import service as governance_service
from yincai.hub import service as hub_service
from yincai.i18n import _
from yincai.marking.access import get_session, load_task, require_leader, require_open
from yincai.marking.handout import redecide
from yincai.marking.models import (
    AnswerStatus,
    MarkFlag,
    MarkingAnswer,
    MarkingArbitration,
    MarkingMark,
    MarkingTask,
    MarkingTaskMarker,
    SessionStatus,
    TaskStatus,
)
from yincai.marking.quality import MarkerQuality, TaskProgress, marker_quality_of, progress_of
from yincai.marking.rules import Decision, check_score


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
    task, marking, _item = load_task(session, task_id)
    require_leader(session, actor, task, marking)
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
    task, marking, item = load_task(session, answer.marking_task_id)
    require_leader(session, actor, task, marking)
    require_open(task)
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
    task, marking, _item = load_task(session, answer.marking_task_id)
    require_leader(session, actor, task, marking)
    require_open(task)
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
    return redecide(session, answer.id, marking.mode, task.tolerance)


def send_back(session: Session, *, actor: Actor, task_id: int, marker_id: int) -> int:
    """Void every mark a marker gave in this task (their answers go back to be marked again,
    arbitrations they caused are undone); how many marks were voided."""
    task, marking, _item = load_task(session, task_id)
    require_leader(session, actor, task, marking)
    require_open(task)
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
            redecide(session, answer_id, marking.mode, task.tolerance)
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
    task, marking, item = load_task(session, task_id)
    require_leader(session, actor, task, marking)
    require_open(task)
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
    task, marking, _item = load_task(session, task_id)
    require_leader(session, actor, task, marking)
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
    task, marking, _item = load_task(session, task_id)
    require_leader(session, actor, task, marking)
    return next(p for p in progress_of(session, marking.id) if p.task_id == task.id)


def marker_quality(session: Session, *, actor: Actor, task_id: int) -> list[MarkerQuality]:
    """Each marker's mean and spread against the others, agreement, speed and check accuracy."""
    task, marking, _item = load_task(session, task_id)
    require_leader(session, actor, task, marking)
    return marker_quality_of(session, task.id, task.tolerance)
