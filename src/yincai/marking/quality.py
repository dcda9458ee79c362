"""Marking progress and marker quality, computed from the marks (reads only; the service checks
who may see them).

Marker quality, per marker on one item: how many marks, their mean and spread; against the
other markers on the same answers, the mean difference (theirs − the others', positive: more
generous) and the agreement rate (|difference| ≤ tolerance); speed (median seconds per mark);
and accuracy on the seeded check answers (share within tolerance of the known score).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yincai.accounts.models import UserAccount
from yincai.domain.models import AssessmentItem
from yincai.marking.models import (
    AnswerStatus,
    MarkingAnswer,
    MarkingMark,
    MarkingTask,
    MarkingTaskMarker,
    TaskStatus,
)
from yincai.marking.rules import agree


@dataclass
class MarkerProgress:
    user_account_id: int
    name: str
    n_marked: int = 0
    n_held: int = 0  # claimed, not yet submitted


@dataclass
class TaskProgress:
    """One item's marking: answers by state, marks given, markers."""

    task_id: int
    item_label: str
    full_score: float
    status: TaskStatus
    n_answers: int = 0
    n_done: int = 0
    n_arbitration: int = 0
    n_problem: int = 0
    n_marks: int = 0
    markers: list[MarkerProgress] = field(default_factory=list)
    has_key: bool = False  # a standard answer: the machine may propose scores (fill-in)

    @property
    def n_waiting(self) -> int:
        return self.n_answers - self.n_done - self.n_arbitration - self.n_problem

    @property
    def done_rate(self) -> float:
        return self.n_done / self.n_answers if self.n_answers else 0.0


@dataclass(frozen=True)
class MarkerQuality:
    user_account_id: int
    name: str
    n_marks: int
    mean: float | None
    sd: float | None
    mean_difference: float | None  # their score − the others' mean on the same answers
    agreement_rate: float | None
    n_compared: int
    median_seconds: float | None
    n_checks: int
    check_accuracy: float | None
    check_mean_error: float | None


def progress_of(session: Session, marking_session_id: int) -> list[TaskProgress]:
    """Every item of a marking session, in paper order."""
    tasks = session.execute(
        select(MarkingTask, AssessmentItem.label, AssessmentItem.full_score)
        .join(AssessmentItem, AssessmentItem.id == MarkingTask.assessment_item_id)
        .where(MarkingTask.marking_session_id == marking_session_id)
        .order_by(AssessmentItem.position)
    ).all()
    found = []
    for task, label, full in tasks:
        progress = TaskProgress(task.id, label, full, task.status, has_key=bool(task.answer_key))
        for status, n in session.execute(
            select(MarkingAnswer.status, func.count())
            .where(MarkingAnswer.marking_task_id == task.id, MarkingAnswer.is_check.is_(False))
            .group_by(MarkingAnswer.status)
        ):
            progress.n_answers += n
            if status is AnswerStatus.DONE:
                progress.n_done = n
            elif status is AnswerStatus.ARBITRATION:
                progress.n_arbitration = n
            elif status is AnswerStatus.PROBLEM:
                progress.n_problem = n
        markers = {
            account_id: MarkerProgress(account_id, name)
            for account_id, name in session.execute(
                select(UserAccount.id, UserAccount.display_name)
                .join(MarkingTaskMarker, MarkingTaskMarker.user_account_id == UserAccount.id)
                .where(MarkingTaskMarker.marking_task_id == task.id)
                .order_by(UserAccount.display_name)
            )
        }
        for marker_id, submitted, n in session.execute(
            select(
                MarkingMark.live_marker_id,
                MarkingMark.submitted_at.is_not(None),
                func.count(),
            )
            .join(MarkingAnswer, MarkingAnswer.id == MarkingMark.marking_answer_id)
            .where(
                MarkingAnswer.marking_task_id == task.id,
                MarkingMark.live_marker_id.is_not(None),
            )
            .group_by(MarkingMark.live_marker_id, MarkingMark.submitted_at.is_not(None))
        ):
            if marker_id is None:
                continue
            marker = markers.setdefault(marker_id, MarkerProgress(marker_id, "?"))
            if submitted:
                marker.n_marked += n
                progress.n_marks += n
            else:
                marker.n_held += n
        progress.markers = list(markers.values())
        found.append(progress)
    return found


def marker_quality_of(session: Session, task_id: int, tolerance: float) -> list[MarkerQuality]:
    """Quality figures of every marker of one item (live submitted marks only)."""
    rows = session.execute(
        select(
            MarkingMark.marker_id,
            MarkingMark.marking_answer_id,
            MarkingMark.score,
            MarkingMark.seconds_spent,
            MarkingAnswer.is_check,
            MarkingAnswer.known_score,
        )
        .join(MarkingAnswer, MarkingAnswer.id == MarkingMark.marking_answer_id)
        .where(
            MarkingAnswer.marking_task_id == task_id,
            MarkingMark.live_marker_id.is_not(None),
            MarkingMark.submitted_at.is_not(None),
        )
    ).all()
    by_answer: dict[int, list[tuple[int, float]]] = {}
    for marker_id, answer_id, score, _seconds, is_check, _known in rows:
        if score is not None and not is_check:
            by_answer.setdefault(answer_id, []).append((marker_id, score))
    names = dict(
        session.execute(
            select(UserAccount.id, UserAccount.display_name)
            .join(MarkingTaskMarker, MarkingTaskMarker.user_account_id == UserAccount.id)
            .where(MarkingTaskMarker.marking_task_id == task_id)
        ).all()
    )
    marker_ids = sorted(set(names) | {row[0] for row in rows})
    found = []
    for marker_id in marker_ids:
        mine = [row for row in rows if row[0] == marker_id]
        real = [row[2] for row in mine if not row[4] and row[2] is not None]
        differences = []
        for marks in by_answer.values():
            own = [score for marker, score in marks if marker == marker_id]
            others = [score for marker, score in marks if marker != marker_id]
            if own and others:
                differences.append(own[0] - statistics.fmean(others))
        checks = [
            (row[2], row[5]) for row in mine if row[4] and row[2] is not None and row[5] is not None
        ]
        seconds = [row[3] for row in mine if row[3] is not None]
        found.append(
            MarkerQuality(
                user_account_id=marker_id,
                name=names.get(marker_id, "?"),
                n_marks=len(mine),
                mean=statistics.fmean(real) if real else None,
                sd=statistics.pstdev(real) if len(real) > 1 else None,
                mean_difference=statistics.fmean(differences) if differences else None,
                agreement_rate=(
                    sum(agree(d, 0.0, tolerance) for d in differences) / len(differences)
                    if differences
                    else None
                ),
                n_compared=len(differences),
                median_seconds=statistics.median(seconds) if seconds else None,
                n_checks=len(checks),
                check_accuracy=(
                    sum(agree(score, known, tolerance) for score, known in checks) / len(checks)
                    if checks
                    else None
                ),
                check_mean_error=(
                    statistics.fmean(score - known for score, known in checks) if checks else None
                ),
            )
        )
    return found
