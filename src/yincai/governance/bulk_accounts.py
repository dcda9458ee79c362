"""Bulk account creation from the roster (批量开户) with printable account slips (账号条).

For a school, or the whole district, every teacher, student and parent who has no login gets one:
usernames follow the roster (a teacher's 工号 in lower case, a student's 学号, the parent's
``p`` + the child's 学号: guardians are not modelled apart from students, so one parent account
per student), each with a random temporary password the owner must change at the first login
(``must_change_password``; ``web/deps.py`` enforces it).

An admin asks (``request_slips``: scope checked, a queued ``AccountSlips`` row); the job worker
builds (``build_slips``): it plans the accounts, hashes the passwords and lays out the slips with
progress stored as it goes, then writes every account and the PDF in one transaction, after
checking that nobody got a login meanwhile: whole or nothing, and running it again creates
nobody twice. The passwords exist in plain text only inside that PDF, which is deleted when it
expires (``KEEP``) or when an admin deletes it; the row stays as the record of the batch.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import CursorResult, Engine, select, update
from sqlalchemy.orm import Session

from yincai.accounts.actors import JOB, Actor
from yincai.accounts.models import Role, UserAccount
from yincai.accounts.passwords import hash_password
from yincai.accounts.roles import require_role
from yincai.db import claim_queued, mark_failed, session_scope
from yincai.domain.models import District, Grade, School, SchoolClass, Student, Teacher
from yincai.error_log import report_unexpected_error
from yincai.errors import Conflict, Invalid, NotFound, YincaiError
from yincai.governance.audit import audit
from yincai.governance.models import AccountSlips
from yincai.governance.scope import require_scope
from yincai.i18n import _

KEEP = timedelta(hours=72)  # the slips PDF (with the passwords) is deleted after this
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read off paper
PASSWORD_GROUPS = 3  # "k7mp-x3qa-9tne": 12 random characters, about 59 bits
SLIPS_PER_PAGE = 8
HASH_THREADS = max(1, min(4, os.cpu_count() or 1))
PROGRESS_EVERY = 50
QUEUED, RUNNING, DONE, FAILED, DELETED = "queued", "running", "done", "failed", "deleted"
Progress = Callable[[int, int], None]
ROLE_WORDS = {Role.TEACHER: _("教师"), Role.STUDENT: _("学生"), Role.PARENT: _("家长")}


@dataclass(frozen=True)
class PlannedAccount:
    """A login to create: who, where, and under which username."""

    role: Role
    username: str
    display_name: str
    school_id: int
    school_name: str
    class_name: str  # the student's class; a teacher's is blank
    teacher_id: int | None = None
    student_id: int | None = None


@dataclass(frozen=True)
class Slip:
    """One printed slip: the account and its temporary password."""

    account: PlannedAccount
    password: str


def temporary_password() -> str:
    """A random password easy to copy from paper (lower case letters and digits in groups)."""
    groups = ("".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(4)) for _ in range(3))
    return "-".join(groups)


def plan_accounts(
    session: Session, *, district_id: int, school_id: int | None
) -> list[PlannedAccount]:
    """Everyone of the school (or the district) without a login, in roster order: teachers by
    工号, then students and their parents class by class."""
    schools = select(School.id).where(School.district_id == district_id)
    if school_id is not None:
        schools = schools.where(School.id == school_id)
    with_teacher = select(UserAccount.teacher_id).where(UserAccount.teacher_id.is_not(None))
    planned = [
        PlannedAccount(
            role=Role.TEACHER,
            username=staff_number.strip().lower(),
            display_name=name,
            school_id=teacher_school,
            school_name=school_name,
            class_name="",
            teacher_id=teacher_id,
        )
        for teacher_id, staff_number, name, teacher_school, school_name in session.execute(
            select(Teacher.id, Teacher.staff_number, Teacher.name, School.id, School.name)
            .join(School, School.id == Teacher.school_id)
            .where(Teacher.school_id.in_(schools), Teacher.id.not_in(with_teacher))
            .order_by(School.code, Teacher.staff_number)
        ).all()
    ]
    has_login = {
        (role, student_id)
        for role, student_id in session.execute(
            select(UserAccount.role, UserAccount.student_id).where(
                UserAccount.student_id.is_not(None),
                UserAccount.role.in_([Role.STUDENT, Role.PARENT]),
            )
        ).all()
    }
    students = session.execute(
        select(Student, SchoolClass.name, School.id, School.name)
        .join(SchoolClass, SchoolClass.id == Student.school_class_id)
        .join(School, School.id == SchoolClass.school_id)
        .join(Grade, Grade.id == SchoolClass.grade_id)
        .where(
            SchoolClass.school_id.in_(schools),
            Student.left_on.is_(None),
            Student.anonymised_at.is_(None),
        )
        .order_by(School.code, Grade.level, SchoolClass.name, Student.student_number)
    ).all()
    for student, class_name, student_school, school_name in students:
        number = student.student_number.strip()
        if (Role.STUDENT, student.id) not in has_login:
            planned.append(
                PlannedAccount(
                    Role.STUDENT, number, student.name, student_school, school_name, class_name,
                    student_id=student.id,
                )
            )  # fmt: skip
        if (Role.PARENT, student.id) not in has_login:
            guardian = (student.guardian_name or "").strip()
            name = f"{guardian}（{student.name}家长）" if guardian else f"{student.name}家长"
            planned.append(
                PlannedAccount(
                    Role.PARENT, f"p{number}", name, student_school, school_name, class_name,
                    student_id=student.id,
                )
            )  # fmt: skip
    return planned


def request_slips(
    session: Session, *, actor: Actor, school_id: int | None, login_url: str, district_id: int
) -> AccountSlips:
    """Queue the accounts of a school (school and district admins) or of the whole district
    (district admins, ``school_id`` None); Invalid when everyone already has a login."""
    if isinstance(actor, UserAccount):
        require_role(actor, Role.DISTRICT_ADMIN, Role.SCHOOL_ADMIN)
        district_id = actor.district_id
        if actor.role is Role.SCHOOL_ADMIN:
            school_id = actor.school_id
    if school_id is not None:
        require_scope(session, actor=actor, school_id=school_id)
    elif session.get(District, district_id) is None:
        raise NotFound(_("区县 {id} 不存在").format(id=district_id), code="district.not_found")
    planned = plan_accounts(session, district_id=district_id, school_id=school_id)
    n_planned = len(planned)
    if n_planned == 0:
        raise Invalid(
            _("所选范围内的教师、学生和家长都已有账号，无需再创建"), code="accounts.none_missing"
        )
    _check_usernames(session, planned)
    now = datetime.now(UTC)
    slips = AccountSlips(
        district_id=district_id,
        school_id=school_id,
        requested_by=actor.id if isinstance(actor, UserAccount) else None,
        state=QUEUED,
        login_url=login_url[:200],
        n_done=0,
        n_total=n_planned,
        n_accounts=0,
        message="",
        created_at=now,
        updated_at=now,
        expires_at=now + KEEP,
    )
    session.add(slips)
    session.flush()
    audit(
        session,
        actor=actor,
        action="accounts_bulk_request",
        object_type="school" if school_id is not None else "district",
        object_id=school_id if school_id is not None else district_id,
    )
    return slips


def build_slips(
    engine: Engine, slips_id: int, *, error_log: Path, on_progress: Progress | None = None
) -> bool:
    """Create the accounts of a queued batch with their slips (the job); whether this call built
    it (False: not queued, e.g. another build claimed it). A failure creates nothing and is
    stored in words."""
    if not _claim(engine, slips_id):
        return False

    def store_progress(n_done: int, n_total: int) -> None:
        with session_scope(engine) as session:
            session.execute(
                update(AccountSlips)
                .where(AccountSlips.id == slips_id)
                .values(n_done=n_done, n_total=n_total, updated_at=datetime.now(UTC))
            )
        if on_progress is not None:
            on_progress(n_done, n_total)

    try:
        with Session(engine) as session:
            batch = session.get(AccountSlips, slips_id)
            assert batch is not None
            district_id, school_id, login_url = batch.district_id, batch.school_id, batch.login_url
            requested_by = batch.requested_by
            planned = plan_accounts(session, district_id=district_id, school_id=school_id)
            _check_usernames(session, planned)  # before the slow part
            title = _scope_title(session, district_id, school_id)
        slips, hashes = _passwords(planned, store_progress)
        content = slips_pdf(slips, title=title, login_url=login_url)
        with session_scope(engine) as session:
            created = _create(session, planned, hashes, district_id, school_id)
            batch = session.get(AccountSlips, slips_id)
            assert batch is not None
            now = datetime.now(UTC)
            batch.content = content
            batch.n_accounts = len(created)
            batch.n_done = batch.n_total = len(created)
            batch.state = DONE
            batch.updated_at = now
            batch.expires_at = now + KEEP
            requester = session.get(UserAccount, requested_by) if requested_by else None
            audit(
                session,
                actor=requester or JOB,
                action="accounts_bulk_create",
                object_type="school" if school_id is not None else "district",
                object_id=school_id if school_id is not None else district_id,
                student_ids=sorted({a.student_id for a in planned if a.student_id is not None}),
            )
            purge_expired(session, now=now)
    except YincaiError as problem:
        _fail(engine, slips_id, problem.message)
    except Exception as error:
        report = report_unexpected_error(error, log_path=error_log, where=f"slips {slips_id}")
        _fail(engine, slips_id, report.message)
    return True


def _passwords(
    planned: list[PlannedAccount], store_progress: Progress
) -> tuple[list[Slip], list[str]]:
    """A temporary password and its hash per account. Hashing is the slow part (argon2, about a
    quarter of a second of CPU each): done on ``HASH_THREADS`` threads (argon2 releases the GIL),
    storing progress every ``PROGRESS_EVERY`` accounts."""
    slips = [Slip(account, temporary_password()) for account in planned]
    hashes: list[str] = []
    store_progress(0, len(planned))
    with ThreadPoolExecutor(max_workers=HASH_THREADS) as pool:
        for start in range(0, len(slips), PROGRESS_EVERY):
            chunk = slips[start : start + PROGRESS_EVERY]
            hashes += pool.map(
                lambda slip: hash_password(slip.password, username=slip.account.username), chunk
            )
            store_progress(len(hashes), len(planned))
    return slips, hashes


def _create(
    session: Session,
    planned: list[PlannedAccount],
    hashes: list[str],
    district_id: int,
    school_id: int | None,
) -> list[UserAccount]:
    """Write the accounts in the caller's transaction, if the plan still holds."""
    if plan_accounts(session, district_id=district_id, school_id=school_id) != planned:
        raise Conflict(
            _("生成期间名册或账号有变化，未创建任何账号，请重新生成"), code="accounts.changed"
        )
    _check_usernames(session, planned)
    now = datetime.now(UTC)
    accounts = [
        UserAccount(
            username=a.username,
            password_hash=password_hash,
            role=a.role,
            display_name=a.display_name,
            district_id=district_id,
            school_id=a.school_id,
            teacher_id=a.teacher_id,
            student_id=a.student_id,
            is_active=True,
            created_at=now,
            must_change_password=True,
        )
        for a, password_hash in zip(planned, hashes, strict=True)
    ]
    session.add_all(accounts)
    session.flush()
    return accounts


def _check_usernames(session: Session, planned: list[PlannedAccount]) -> None:
    """Conflict when two planned accounts share a username or another account holds one."""
    usernames = [a.username for a in planned]
    if len(set(usernames)) != len(usernames):
        raise Conflict(_("名册中有重复的工号或学号，未创建任何账号"), code="accounts.duplicate")
    taken: set[str] = set()
    for k in range(0, len(usernames), 500):
        taken |= set(
            session.scalars(
                select(UserAccount.username).where(UserAccount.username.in_(usernames[k : k + 500]))
            )
        )
    if taken:
        raise Conflict(
            _("用户名已被其他账号占用：{names}；未创建任何账号").format(
                names="、".join(sorted(taken)[:10])
            ),
            code="accounts.username_taken",
        )


def slips_pdf(slips: list[Slip], *, title: str, login_url: str) -> bytes:
    """The printable slips: ``SLIPS_PER_PAGE`` a page, cut along the dashed lines."""
    from yincai.reports.pdf import html_to_pdf, render_html  # WeasyPrint loads here

    pages = [slips[k : k + SLIPS_PER_PAGE] for k in range(0, len(slips), SLIPS_PER_PAGE)]
    html = render_html(
        "account_slips.html",
        {
            "title": title,
            "login_url": login_url,
            "pages": [
                [
                    {
                        "role": str(ROLE_WORDS[slip.account.role]),
                        "name": slip.account.display_name,
                        "school": slip.account.school_name,
                        "class_name": slip.account.class_name,
                        "username": slip.account.username,
                        "password": slip.password,
                    }
                    for slip in page
                ]
                for page in pages
            ],
        },
    )
    return html_to_pdf(html)


def slips_status(session: Session, *, actor: Actor, slips_id: int) -> AccountSlips:
    """A batch (without its PDF) for the admins whose scope holds it."""
    purge_expired(session)
    batch = session.get(AccountSlips, slips_id)
    if batch is None:
        raise NotFound(_("账号条 {id} 不存在").format(id=slips_id), code="account_slips.not_found")
    if isinstance(actor, UserAccount):
        require_role(actor, Role.DISTRICT_ADMIN, Role.SCHOOL_ADMIN)
        if batch.district_id != actor.district_id or (
            actor.role is Role.SCHOOL_ADMIN and batch.school_id != actor.school_id
        ):
            raise NotFound(
                _("账号条 {id} 不存在").format(id=slips_id), code="account_slips.not_found"
            )
    return batch


def read_slips(session: Session, *, actor: Actor, slips_id: int) -> bytes:
    """The slips PDF (audited: it names every account it created)."""
    batch = slips_status(session, actor=actor, slips_id=slips_id)
    if batch.state != DONE:
        raise NotFound(_("账号条已删除或尚未生成"), code="account_slips.no_content")
    session.refresh(batch, attribute_names=["content"])
    if batch.content is None:
        raise NotFound(_("账号条已删除或尚未生成"), code="account_slips.no_content")
    audit(
        session,
        actor=actor,
        action="accounts_slips_download",
        object_type="school" if batch.school_id is not None else "district",
        object_id=batch.school_id if batch.school_id is not None else batch.district_id,
    )
    return batch.content


def delete_slips(session: Session, *, actor: Actor, slips_id: int) -> None:
    """Delete a batch's PDF (and so its passwords) now; the accounts stay."""
    batch = slips_status(session, actor=actor, slips_id=slips_id)
    if batch.state in (QUEUED, RUNNING):
        raise Conflict(_("账号条还在生成中，生成后才能删除"), code="account_slips.running")
    batch.content = None
    batch.state = DELETED if batch.state == DONE else batch.state
    batch.updated_at = datetime.now(UTC)
    audit(
        session,
        actor=actor,
        action="accounts_slips_delete",
        object_type="school" if batch.school_id is not None else "district",
        object_id=batch.school_id if batch.school_id is not None else batch.district_id,
    )


def recent_slips(session: Session, *, actor: UserAccount) -> list[AccountSlips]:
    """The admin's scope's batches, newest first."""
    require_role(actor, Role.DISTRICT_ADMIN, Role.SCHOOL_ADMIN)
    query = select(AccountSlips).where(AccountSlips.district_id == actor.district_id)
    if actor.role is Role.SCHOOL_ADMIN:
        query = query.where(AccountSlips.school_id == actor.school_id)
    return list(session.scalars(query.order_by(AccountSlips.id.desc()).limit(20)))


def purge_expired(session: Session, *, now: datetime | None = None) -> int:
    """Delete the PDFs whose time is up (the passwords with them); how many."""
    now = now or datetime.now(UTC)
    result = session.execute(
        update(AccountSlips)
        .where(AccountSlips.expires_at < now, AccountSlips.state == DONE)
        .values(content=None, state=DELETED)
        .execution_options(synchronize_session=False)
    )
    assert isinstance(result, CursorResult)
    return result.rowcount


def _scope_title(session: Session, district_id: int, school_id: int | None) -> str:
    if school_id is not None:
        school = session.get(School, school_id)
        return school.name if school else ""
    district = session.get(District, district_id)
    return district.name if district else ""


def _claim(engine: Engine, slips_id: int) -> bool:
    running = ("state", QUEUED, RUNNING)
    return claim_queued(
        engine, AccountSlips, slips_id, state=running, updated_at=datetime.now(UTC), n_done=0
    )


def _fail(engine: Engine, slips_id: int, message: str) -> None:
    failed = ("state", FAILED)
    mark_failed(
        engine, AccountSlips, slips_id, state=failed, message=message, updated_at=datetime.now(UTC)
    )
