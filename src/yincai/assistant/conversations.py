"""The assistant's conversations: who may read them (the asker; a student's also the teachers
of the student's class, each read audited), and their retention. ``service`` re-exports these
functions: it is the capability's one door."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from yincai.accounts.models import Role, UserAccount
from yincai.assistant.models import AssistantConversation, AssistantMessage
from yincai.config import Settings
from yincai.domain.models import Student
from yincai.errors import Forbidden, NotFound
from yincai.governance import service as governance_service
from yincai.i18n import _

PAGE_SIZE = 50


# ---- reading conversations -------------------------------------------------------------------


@dataclass(frozen=True)
class ConversationView:
    conversation: AssistantConversation
    messages: list[AssistantMessage]
    student_name: str | None  # shown to the student's teachers


@dataclass(frozen=True)
class StudentConversations:
    """A class's students who talked with the assistant, for their teacher."""

    rows: list[tuple[int, str, str, int, datetime]]  # student id, number, name, n, last


def own_conversations(session: Session, *, actor: UserAccount) -> list[AssistantConversation]:
    """The actor's own conversations, newest first."""
    return list(
        session.scalars(
            select(AssistantConversation)
            .where(AssistantConversation.user_account_id == actor.id)
            .order_by(AssistantConversation.last_at.desc(), AssistantConversation.id.desc())
            .limit(PAGE_SIZE)
        )
    )


def _teacher_sees(session: Session, actor: UserAccount, student_id: int) -> bool:
    if actor.role is not Role.TEACHER:
        return False
    visible = governance_service.visible_student_ids(actor).where(Student.id == student_id)
    return session.scalar(visible) is not None


def get_conversation(
    session: Session, *, actor: UserAccount, conversation_id: int
) -> ConversationView:
    """One conversation: for the account that asked, or a teacher of the student who asked; a
    student's is audited whoever reads it; for anyone else it does not exist."""
    conversation = session.get(AssistantConversation, conversation_id)
    missing = NotFound(_("对话 {id} 不存在").format(id=conversation_id), code="assistant.not_found")
    if conversation is None:
        raise missing
    student_name = None
    student_id = conversation.student_id
    if conversation.user_account_id != actor.id:
        if student_id is None or not _teacher_sees(session, actor, student_id):
            raise missing
        student_name = session.scalar(select(Student.name).where(Student.id == student_id))
    if student_id is not None:  # a student's record, read by the student or a teacher
        governance_service.audit(
            session,
            actor=actor,
            action="assistant_conversation_view",
            object_type="student",
            object_id=student_id,
            path="/assistant/conversations/{conversation_id}",
        )
    messages = list(
        session.scalars(
            select(AssistantMessage)
            .where(AssistantMessage.conversation_id == conversation.id)
            .order_by(AssistantMessage.id)
        )
    )
    return ConversationView(conversation, messages, student_name)


def student_conversations(
    session: Session, *, actor: UserAccount, student_id: int
) -> list[AssistantConversation]:
    """A student's conversations, for the student's teachers (audited)."""
    if session.get(Student, student_id) is None:
        raise NotFound(_("学生 {id} 不存在").format(id=student_id), code="student.not_found")
    if not _teacher_sees(session, actor, student_id):
        raise Forbidden(
            _("只有学生本人和任课教师可以查看学生与助教的对话"), code="assistant.forbidden"
        )
    governance_service.audit(
        session,
        actor=actor,
        action="assistant_student_view",
        object_type="student",
        object_id=student_id,
        path="/assistant/students/{student_id}",
    )
    return list(
        session.scalars(
            select(AssistantConversation)
            .where(AssistantConversation.student_id == student_id)
            .order_by(AssistantConversation.last_at.desc(), AssistantConversation.id.desc())
            .limit(PAGE_SIZE)
        )
    )


def students_with_conversations(session: Session, *, actor: UserAccount) -> StudentConversations:
    """The teacher's students who talked with the assistant, latest first (audited with the
    students shown)."""
    if actor.role is not Role.TEACHER:
        return StudentConversations([])
    rows = session.execute(
        select(
            Student.id,
            Student.student_number,
            Student.name,
            func.count(AssistantConversation.id),
            func.max(AssistantConversation.last_at),
        )
        .join(AssistantConversation, AssistantConversation.student_id == Student.id)
        .where(Student.id.in_(governance_service.visible_student_ids(actor)))
        .group_by(Student.id, Student.student_number, Student.name)
        .order_by(func.max(AssistantConversation.last_at).desc(), Student.id)
        .limit(PAGE_SIZE)
    ).all()
    if rows:
        governance_service.audit(
            session,
            actor=actor,
            action="assistant_students_list",
            object_type="user_account",
            object_id=actor.id,
            student_ids=[row[0] for row in rows],
            path="/assistant",
        )
    return StudentConversations([(int(a), str(b), str(c), int(d), e) for a, b, c, d, e in rows])


# ---- retention -------------------------------------------------------------------------------


def expired_conversations(session: Session, *, before: datetime) -> list[int]:
    """Conversations whose last message is older than ``before``."""
    return list(
        session.scalars(
            select(AssistantConversation.id)
            .where(AssistantConversation.last_at < before)
            .order_by(AssistantConversation.id)
        )
    )


def delete_conversations(session: Session, conversation_ids: list[int]) -> int:
    """Delete these conversations with their messages; how many went."""
    if not conversation_ids:
        return 0
    session.execute(
        delete(AssistantMessage)
        .where(AssistantMessage.conversation_id.in_(conversation_ids))
        .execution_options(synchronize_session=False)
    )
    session.execute(
        delete(AssistantConversation)
        .where(AssistantConversation.id.in_(conversation_ids))
        .execution_options(synchronize_session=False)
    )
    return len(conversation_ids)


def retention_cutoff(settings: Settings, now: datetime) -> datetime:
    return now - timedelta(days=settings.assistant_retention_days)
