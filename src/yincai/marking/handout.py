"""Handing answers out and taking marks in, safely under concurrency (see ``marking.service``):
a claim is an INSERT guarded by unique keys, a submission a conditional UPDATE, and the answer's
state is decided under its row lock. Markers see the crop, never who wrote it."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import CursorResult, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from yincai.accounts.actors import Actor
from yincai.accounts.models import UserAccount
from yincai.db import lock_for_write
from yincai.domain.models import Assessment, AssessmentItem
from yincai.errors import Conflict, Invalid
from yincai.governance import service as governance_service
from yincai.i18n import _
from yincai.marking.access import load_task, require_marker, require_open
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
)
from yincai.marking.rules import Decision, check_score, decide

CANDIDATES = 40  # answers looked at per hand-out (markers start at different ones)
CLAIM_LOST = _("这份答卷已经提交，或领取超时已交给其他老师")


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
    task, marking, item = load_task(session, task_id)
    marker = require_marker(session, actor, task)
    require_open(task)
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
    task, marking, item = load_task(session, answer.marking_task_id)
    require_marker(session, actor, task)
    require_open(task)
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
    return redecide(session, answer.id, marking.mode, task.tolerance)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def redecide(session: Session, answer_id: int, mode: MarkingMode, tolerance: float) -> Decision:
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
