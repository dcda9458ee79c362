"""Who may do what in online marking: the markers of a task mark it, its item leader (or whoever
may set up the assessment's marking) leads it; a closed task takes no more work."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from yincai.accounts.actors import Actor
from yincai.accounts.models import UserAccount
from yincai.domain.models import AssessmentItem
from yincai.errors import Conflict, Forbidden, NotFound
from yincai.governance import service as governance_service
from yincai.i18n import _
from yincai.marking.models import (
    MarkingSession,
    MarkingTask,
    MarkingTaskMarker,
    TaskStatus,
)


def get_session(session: Session, *, actor: Actor, assessment_id: int) -> MarkingSession | None:
    """The assessment's marking session (None before setup), for those who may set it up."""
    governance_service.require_score_editor(session, actor=actor, assessment_id=assessment_id)
    return session.scalar(
        select(MarkingSession).where(MarkingSession.assessment_id == assessment_id)
    )


def load_task(session: Session, task_id: int) -> tuple[MarkingTask, MarkingSession, AssessmentItem]:
    task = session.get(MarkingTask, task_id)
    if task is None:
        raise NotFound(_("阅卷任务 {id} 不存在").format(id=task_id), code="marking.task_not_found")
    marking = session.get_one(MarkingSession, task.marking_session_id)
    item = session.get_one(AssessmentItem, task.assessment_item_id)
    return task, marking, item


def require_marker(session: Session, actor: Actor, task: MarkingTask) -> UserAccount:
    if not isinstance(actor, UserAccount) or not actor.is_active:
        raise Forbidden(_("只有阅卷教师可以评分"), code="marking.not_marker")
    governance_service.require_role(actor, *governance_service.STAFF_ROLES)
    assigned = session.get(MarkingTaskMarker, (task.id, actor.id))
    if assigned is None:
        raise Forbidden(_("您不是这道题的阅卷教师"), code="marking.not_marker")
    return actor


def require_leader(
    session: Session, actor: Actor, task: MarkingTask, marking: MarkingSession
) -> None:
    """The item leader, or whoever may set up the marking of the assessment."""
    if isinstance(actor, UserAccount) and actor.is_active and actor.id == task.leader_id:
        return
    governance_service.require_score_editor(
        session, actor=actor, assessment_id=marking.assessment_id
    )


def require_open(task: MarkingTask) -> None:
    if task.status is TaskStatus.CLOSED:
        raise Conflict(_("这道题已结束阅卷"), code="marking.task_closed")
