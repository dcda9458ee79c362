"""JSON API of governance: who am I, own password, accounts and the audit trail."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict

from yincai.accounts.models import Role
from yincai.governance import service
from yincai.governance.actions import action_words
from yincai.governance.login_pages import start_session
from yincai.governance.pages import day_start
from yincai.web.deps import CurrentUser, DbSession
from yincai.web.json_types import UtcDateTime

router = APIRouter(prefix="/api/governance", tags=["governance"])


class AccountRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    username: str
    role: Role
    display_name: str
    school_id: int | None
    teacher_id: int | None
    student_id: int | None
    is_active: bool
    must_change_password: bool  # true: every other route answers 403 until it is changed


class PasswordChange(BaseModel):
    old_password: str
    new_password: str


class AuditEventRead(BaseModel):
    """One audit row: ids only, the action in Chinese words beside its code."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    at: UtcDateTime
    user_account_id: int | None
    action: str
    action_words: str
    object_type: str
    object_id: str
    scope: str
    path: str | None
    student_ids: list[int]


class AuditPageRead(BaseModel):
    events: list[AuditEventRead]
    n_events: int
    page: int
    n_pages: int


@router.get("/me")
def read_me(user: CurrentUser) -> AccountRead:
    """The logged-in account and its scope."""
    return AccountRead.model_validate(user)


@router.post("/me/password", status_code=204)
def change_password(
    request: Request, body: PasswordChange, session: DbSession, user: CurrentUser
) -> None:
    """Change one's own password (other sessions end, this one goes on)."""
    account = service.change_password(
        session, actor=user, old_password=body.old_password, new_password=body.new_password
    )
    start_session(request, session, account)
    session.commit()


@router.get("/accounts")
def list_accounts(session: DbSession, user: CurrentUser) -> list[AccountRead]:
    """The accounts the caller manages (admins)."""
    return [AccountRead.model_validate(a) for a in service.list_accounts(session, actor=user)]


@router.get("/audit")
def list_audit_events(
    session: DbSession,
    user: CurrentUser,
    user_account_id: int | None = None,
    action: str | None = None,
    student_id: int | None = None,
    since: date | None = None,
    until: date | None = None,
    page: int = 1,
) -> AuditPageRead:
    """The district's audit trail, newest first, with the students each view showed (district
    admins; reading it is audited too)."""
    result = service.list_audit_events(
        session,
        actor=user,
        user_account_id=user_account_id,
        action=action or None,
        student_id=student_id,
        since=day_start(since),
        until=day_start(until, days_after=1),
        page=page,
    )
    session.commit()  # the audit row of this read
    events = [
        AuditEventRead(
            id=e.id,
            at=e.at,
            user_account_id=e.user_account_id,
            action=e.action,
            action_words=action_words(e.action),
            object_type=e.object_type,
            object_id=e.object_id,
            scope=e.scope,
            path=e.path,
            student_ids=result.students.get(e.id, []),
        )
        for e in result.events
    ]
    return AuditPageRead(
        events=events, n_events=result.n_events, page=result.page, n_pages=result.n_pages
    )
