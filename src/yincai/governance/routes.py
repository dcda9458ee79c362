"""JSON API of governance: who am I, own password, accounts and the audit trail."""

from __future__ import annotations

from datetime import date, datetime

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict

from yincai.governance import service
from yincai.governance.models import Role
from yincai.governance.pages import day_start
from yincai.web.auth import start_session
from yincai.web.deps import CurrentUser, DbSession

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
    model_config = ConfigDict(from_attributes=True)
    id: int
    at: datetime
    user_account_id: int | None
    action: str
    object_type: str
    object_id: str
    scope: str


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
    since: date | None = None,
    until: date | None = None,
    page: int = 1,
) -> AuditPageRead:
    """The district's audit trail, newest first (district admins)."""
    result = service.list_audit_events(
        session,
        actor=user,
        user_account_id=user_account_id,
        action=action,
        since=day_start(since),
        until=day_start(until, days_after=1),
        page=page,
    )
    return AuditPageRead(
        events=[AuditEventRead.model_validate(e) for e in result.events],
        n_events=result.n_events,
        page=result.page,
        n_pages=result.n_pages,
    )
