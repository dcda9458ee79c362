"""Governance pages: account management for admins, the audit log for district admins."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Annotated
from urllib.parse import urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from yincai.accounts.models import Role, UserAccount
from yincai.domain.models import School, Student
from yincai.errors import Conflict, Forbidden, Invalid
from yincai.governance import audit_view, bulk_accounts, service
from yincai.governance.actions import action_words
from yincai.governance.audit import AUDIT_PAGE_SIZE
from yincai.i18n import _
from yincai.web.deps import CurrentUser, DbSession
from yincai.web.i18n import language_of
from yincai.web.paging import Page, paginate
from yincai.web.templating import templates

router = APIRouter(prefix="/governance", include_in_schema=False)


def _users_page(
    request: Request,
    session: DbSession,
    user: CurrentUser,
    *,
    message: str | None = None,
    error: str | None = None,
    status_code: int = 200,
    form: dict[str, str] | None = None,
) -> Response:
    accounts = service.list_accounts(session, actor=user)
    schools = session.scalars(
        select(School).where(School.id.in_(service.visible_school_ids(user))).order_by(School.code)
    ).all()
    batches = bulk_accounts.recent_slips(session, actor=user)
    roles = [Role.TEACHER, Role.STUDENT, Role.PARENT]
    if user.role is Role.DISTRICT_ADMIN:
        roles = [Role.DISTRICT_ADMIN, Role.SCHOOL_ADMIN, *roles]
    return templates.TemplateResponse(
        request,
        "governance/users.html",
        {
            "accounts": paginate(accounts, request.query_params),
            "batches": batches,
            "schools": schools,
            "roles": roles,
            "message": message,
            "error": error,
            "min_length": service.MIN_PASSWORD_LENGTH,
            "form": form or {},  # what was typed, shown again after a refusal (never a password)
        },
        status_code=status_code,
    )


@router.get("/users", response_class=HTMLResponse)
def users(request: Request, session: DbSession, user: CurrentUser) -> Response:
    """The accounts an admin manages."""
    return _users_page(request, session, user)


@router.post("/users", response_class=HTMLResponse)
def add_user(
    request: Request,
    session: DbSession,
    user: CurrentUser,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    role: Annotated[Role, Form()],
    display_name: Annotated[str, Form()] = "",
    school_id: Annotated[int | None, Form()] = None,
    staff_number: Annotated[str | None, Form()] = None,
    student_number: Annotated[str | None, Form()] = None,
    must_change_password: Annotated[bool, Form()] = False,
) -> Response:
    """Create an account inside the admin's scope (a temporary password when ticked)."""
    try:
        service.add_account(
            session,
            actor=user,
            username=username,
            password=password,
            role=role,
            display_name=display_name,
            school_id=school_id,
            staff_number=staff_number,
            student_number=student_number,
            must_change_password=must_change_password,
        )
    except (Invalid, Conflict) as exc:
        session.rollback()
        typed = {
            "username": username,
            "display_name": display_name,
            "role": role.value,
            "school_id": str(school_id or ""),
            "staff_number": staff_number or "",
            "student_number": student_number or "",
            "must_change_password": "true" if must_change_password else "",
        }
        return _users_page(request, session, user, error=exc.message, status_code=422, form=typed)
    session.commit()
    return _users_page(request, session, user, message=_("账号已创建。"))


@router.post("/users/{user_account_id}/active")
def set_active(
    user_account_id: int,
    session: DbSession,
    user: CurrentUser,
    is_active: Annotated[bool, Form()],
) -> RedirectResponse:
    """Disable or re-enable an account."""
    service.set_account_active(
        session, actor=user, user_account_id=user_account_id, is_active=is_active
    )
    session.commit()
    return RedirectResponse("/governance/users", status_code=303)


@router.post("/users/{user_account_id}/password", response_class=HTMLResponse)
def reset_password(
    request: Request,
    user_account_id: int,
    session: DbSession,
    user: CurrentUser,
    new_password: Annotated[str, Form()],
) -> Response:
    """Set a temporary password for an account (its sessions end; the owner must change it)."""
    try:
        service.reset_password(
            session, actor=user, user_account_id=user_account_id, new_password=new_password
        )
    except Invalid as exc:
        session.rollback()
        return _users_page(request, session, user, error=exc.message, status_code=422)
    session.commit()
    return _users_page(request, session, user, message=_("已保存。"))


@router.post("/users/{user_account_id}/two-factor/reset", response_class=HTMLResponse)
def reset_two_factor(
    request: Request, user_account_id: int, session: DbSession, user: CurrentUser
) -> Response:
    """Clear an account's authenticator (lost phone; district admins): it enrols again."""
    service.reset_two_factor(session, actor=user, user_account_id=user_account_id)
    session.commit()
    return _users_page(request, session, user, message=_("已保存。"))


@router.post("/accounts/bulk", response_class=HTMLResponse)
def bulk_create(
    request: Request,
    session: DbSession,
    user: CurrentUser,
    school_id: Annotated[str, Form()] = "",
) -> Response:
    """Create the missing accounts of a school (or the district: district admins, no school
    picked) with printable slips; the job worker does it, this page follows it."""
    chosen = int(school_id) if school_id.strip().isdigit() else None
    try:
        batch = bulk_accounts.request_slips(
            session,
            actor=user,
            school_id=chosen,
            login_url=str(request.base_url),
            district_id=user.district_id,
        )
    except (Invalid, Conflict) as exc:
        session.rollback()
        return _users_page(request, session, user, error=exc.message, status_code=422)
    session.commit()
    request.app.state.jobs.queue_account_slips(batch.id)
    return RedirectResponse(f"/governance/accounts/slips/{batch.id}", status_code=303)


@router.get("/accounts/slips/{slips_id}", response_class=HTMLResponse)
def slips_page(request: Request, slips_id: int, session: DbSession, user: CurrentUser) -> Response:
    """A bulk creation's progress, then its slips to download and delete."""
    batch = bulk_accounts.slips_status(session, actor=user, slips_id=slips_id)
    session.commit()  # an expired PDF deleted on the way
    return templates.TemplateResponse(
        request,
        "governance/slips.html",
        {"batch": batch, "keep_hours": int(bulk_accounts.KEEP.total_seconds() // 3600)},
    )


@router.get("/accounts/slips/{slips_id}/slips.pdf")
def slips_file(slips_id: int, session: DbSession, user: CurrentUser) -> Response:
    """The account slips (audited)."""
    content = bulk_accounts.read_slips(session, actor=user, slips_id=slips_id)
    session.commit()
    return Response(
        content,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="account-slips-{slips_id}.pdf"',
            "Cache-Control": "no-store",
        },
    )


@router.post("/accounts/slips/{slips_id}/delete")
def slips_delete(slips_id: int, session: DbSession, user: CurrentUser) -> Response:
    """Delete the slips PDF and the temporary passwords in it now (the accounts stay)."""
    bulk_accounts.delete_slips(session, actor=user, slips_id=slips_id)
    session.commit()
    return RedirectResponse(f"/governance/accounts/slips/{slips_id}", status_code=303)


def local_zone(name: str) -> tzinfo:
    """The district's time zone for showing times (UTC if the setting names none known)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def day_start(day: date | None, *, days_after: int = 0) -> datetime | None:
    """Midnight UTC of a day picked in a form, or None."""
    if day is None:
        return None
    return datetime.combine(day + timedelta(days=days_after), time(), tzinfo=UTC)


@dataclass(frozen=True)
class AuditFilters:
    """The audit page's filters as typed in the form: empty fields mean "any"."""

    user_account_id: int | None = None
    action: str | None = None
    student_id: int | None = None
    since: date | None = None
    until: date | None = None
    page: int = 1
    problems: tuple[str, ...] = ()


def _audit_filters(session: Session, user: UserAccount, query: dict[str, str]) -> AuditFilters:
    """Read the form leniently: blanks are "any", a wrong value is named on the page (never a
    raw 422)."""
    problems: list[str] = []

    def number(name: str, label: str) -> int | None:
        text = query.get(name, "").strip()
        if not text:
            return None
        if text.isdigit() and len(text) < 10:
            return int(text)
        problems.append(_("{label}无效").format(label=label))
        return None

    def day(name: str, label: str) -> date | None:
        text = query.get(name, "").strip()
        if not text:
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            problems.append(_("{label}日期无效").format(label=label))
            return None

    student_id = None
    if student_number := query.get("student", "").strip():
        student_id = session.scalar(
            select(Student.id).where(
                Student.student_number == student_number,
                Student.district_id == user.district_id,
            )
        )
        if student_id is None:
            problems.append(_("找不到该学号的学生"))
    return AuditFilters(
        user_account_id=number("user_account_id", _("用户")),
        action=query.get("action", "").strip() or None,
        student_id=student_id,
        since=day("since", _("起始")),
        until=day("until", _("截止")),
        page=number("page", _("页码")) or 1,
        problems=tuple(problems),
    )


@router.get("/audit", response_class=HTMLResponse)
def audit_log(request: Request, session: DbSession, user: CurrentUser) -> Response:
    """The district's audit trail in words, filtered by account, action, student and dates
    (district admins); empty filters mean "any"."""
    if user.role is not Role.DISTRICT_ADMIN:
        raise Forbidden(_("只有区管理员可以查看审计日志"), code="audit.district_admins_only")
    query = dict(request.query_params)
    filters = _audit_filters(session, user, query)
    result = service.list_audit_events(
        session,
        actor=user,
        user_account_id=filters.user_account_id,
        action=filters.action,
        student_id=filters.student_id,
        since=day_start(filters.since),
        until=day_start(filters.until, days_after=1),
        page=filters.page,
    )
    language = language_of(request, request.app.state.settings.language)
    lines = audit_view.describe(session, result, actor=user, language=language)
    session.commit()  # the audit row of this view
    form = {
        "user_account_id": query.get("user_account_id", "").strip(),
        "action": query.get("action", "").strip(),
        "student": query.get("student", "").strip(),
        "since": query.get("since", "").strip(),
        "until": query.get("until", "").strip(),
    }
    return templates.TemplateResponse(
        request,
        "governance/audit.html",
        {
            "result": result,
            "lines": lines,
            "page": Page.of(lines, number=result.page, total=result.n_events, size=AUDIT_PAGE_SIZE),
            "filters": form,
            "problems": filters.problems,
            "query": urlencode(form),
            "actions": [(code, action_words(code, language)) for code in result.actions],
            "accounts": service.list_accounts(session, actor=user),
            "zone": local_zone(request.app.state.settings.timezone),
        },
        status_code=422 if filters.problems else 200,
    )
