"""Guardian consent (PIPL art. 31): the data of a student under 14 is used for a purpose only while
a guardian's consent to it is in force.

One rule, :func:`cleared_student_ids`, says whose data a purpose may use; the diagnosis and
practice services filter every response they read through it, so no page, command or cached model
can use an under-14 student's data without consent. Only the birth year is stored: a student born
in year Y may still be 13 throughout the year Y + 14, so consent is needed up to and including that
year (and whenever the birth year is unknown).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from yincai.accounts.models import Role, UserAccount
from yincai.consent.models import ConsentMethod, ConsentPurpose, GuardianConsent
from yincai.domain.models import Student
from yincai.errors import Forbidden
from yincai.governance import service as governance_service
from yincai.i18n import _

CONSENT_AGE = 14
PURPOSE_NAMES = {ConsentPurpose.DIAGNOSIS: _("学情诊断与个性化练习")}
METHOD_NAMES = {
    ConsentMethod.PARENT_ACCOUNT: _("家长账号在线同意"),
    ConsentMethod.PAPER_FORM: _("学校录入纸质同意书"),
}


class ConsentRequired(Forbidden):
    """The student may be under 14 and no guardian's consent to the purpose is in force."""

    def __init__(self, purpose: ConsentPurpose = ConsentPurpose.DIAGNOSIS) -> None:
        super().__init__(
            _(
                "该学生未满 {age} 周岁（或出生年份不详），监护人尚未同意将其学习数据用于"
                "{purpose}，因此不使用其数据。请家长登录后在“隐私与同意”页面（/privacy）"
                "表示同意，或由学校录入已签署的纸质同意书。"
            ).format(age=CONSENT_AGE, purpose=PURPOSE_NAMES[purpose]),
            code="consent.required",
        )


def youngest_cleared_birth_year(today: date) -> int:
    """Students born in this year or earlier are surely 14 or older ``today``."""
    return today.year - CONSENT_AGE - 1


def may_be_under_age(birth_year: int | None, today: date) -> bool:
    return birth_year is None or birth_year > youngest_cleared_birth_year(today)


def cleared_student_ids(purpose: ConsentPurpose, *, today: date) -> Select[int]:
    """THE rule: students whose data ``purpose`` may use — surely 14 or older ``today``, or with a
    guardian's consent to ``purpose`` in force."""
    in_force = select(GuardianConsent.student_id).where(
        GuardianConsent.purpose == purpose, GuardianConsent.withdrawn_at.is_(None)
    )
    return select(Student.id).where(
        or_(Student.birth_year <= youngest_cleared_birth_year(today), Student.id.in_(in_force))
    )


def students_without_consent(
    session: Session, student_ids: list[int], purpose: ConsentPurpose, *, today: date
) -> set[int]:
    """Those of ``student_ids`` whose data ``purpose`` may not use."""
    if not student_ids:
        return set()
    cleared = session.scalars(
        cleared_student_ids(purpose, today=today).where(Student.id.in_(student_ids))
    )
    return set(student_ids) - set(cleared)


def require_consent(
    session: Session, *, student_id: int, purpose: ConsentPurpose, today: date
) -> None:
    """ConsentRequired unless the student's data may be used for ``purpose``."""
    if students_without_consent(session, [student_id], purpose, today=today):
        raise ConsentRequired(purpose)


def consent_version(session: Session) -> tuple[object, ...]:
    """Changes whenever a consent is given or withdrawn (a key for caches of fitted models)."""
    return tuple(
        session.execute(
            select(
                func.count(GuardianConsent.id),
                func.max(GuardianConsent.id),
                func.count(GuardianConsent.withdrawn_at),
            )
        ).one()
    )


@dataclass(frozen=True)
class ConsentState:
    """A student's consent to each purpose, for the privacy page."""

    student_id: int
    student_name: str
    student_number: str
    may_be_under_age: bool
    in_force: dict[ConsentPurpose, GuardianConsent | None]
    history: list[GuardianConsent]
    can_export: bool


def _require_guardian_or_staff(
    session: Session, actor: governance_service.Actor, student_id: int
) -> None:
    governance_service.require_role(actor, Role.PARENT, *governance_service.STAFF_ROLES)
    governance_service.require_scope(session, actor=actor, student_id=student_id)


def consent_state(
    session: Session, *, actor: UserAccount, student_id: int, today: date
) -> ConsentState:
    """What the parent or a staff member in scope sees of a student's consents."""
    _require_guardian_or_staff(session, actor, student_id)
    student = session.get(Student, student_id)
    assert student is not None  # require_scope raised NotFound otherwise
    history = list(
        session.scalars(
            select(GuardianConsent)
            .where(GuardianConsent.student_id == student_id)
            .order_by(GuardianConsent.given_at.desc(), GuardianConsent.id.desc())
        )
    )
    in_force = {
        purpose: next((c for c in history if c.purpose == purpose and c.withdrawn_at is None), None)
        for purpose in ConsentPurpose
    }
    governance_service.audit(
        session, actor=actor, action="view_consent", object_type="student", object_id=student_id
    )
    return ConsentState(
        student_id=student.id,
        student_name=student.name,
        student_number=student.student_number,
        may_be_under_age=may_be_under_age(student.birth_year, today),
        in_force=in_force,
        history=history,
        can_export=actor.role in (Role.PARENT, *governance_service.ADMIN_ROLES),
    )


def give_consent(
    session: Session,
    *,
    actor: governance_service.Actor,
    student_id: int,
    purpose: ConsentPurpose,
    given_at: datetime | None = None,
) -> GuardianConsent:
    """Record consent: a parent for their own child (online), staff in scope or the operator
    (``SystemActor``) from a signed paper form. Consent already in force is returned as it is."""
    _require_guardian_or_staff(session, actor, student_id)
    current = session.scalar(
        select(GuardianConsent).where(
            GuardianConsent.student_id == student_id,
            GuardianConsent.purpose == purpose,
            GuardianConsent.withdrawn_at.is_(None),
        )
    )
    if current is not None:
        return current
    account = actor if isinstance(actor, UserAccount) else None
    is_parent = account is not None and account.role is Role.PARENT
    consent = GuardianConsent(
        student_id=student_id,
        purpose=purpose,
        method=ConsentMethod.PARENT_ACCOUNT if is_parent else ConsentMethod.PAPER_FORM,
        given_by_user_account_id=account.id if account else None,
        given_at=given_at or datetime.now(UTC),
    )
    session.add(consent)
    session.flush()
    governance_service.audit(
        session,
        actor=actor,
        action="consent_give",
        object_type="student",
        object_id=student_id,
    )
    return consent


def withdraw_consent(
    session: Session, *, actor: governance_service.Actor, student_id: int, purpose: ConsentPurpose
) -> int:
    """Withdraw the consent in force (a parent, or staff recording the guardian's request);
    the number of consents withdrawn (0 when none was in force)."""
    _require_guardian_or_staff(session, actor, student_id)
    rows = list(
        session.scalars(
            select(GuardianConsent).where(
                GuardianConsent.student_id == student_id,
                GuardianConsent.purpose == purpose,
                GuardianConsent.withdrawn_at.is_(None),
            )
        )
    )
    now = datetime.now(UTC)
    for row in rows:
        row.withdrawn_at = now
        row.withdrawn_by_user_account_id = actor.id if isinstance(actor, UserAccount) else None
    if rows:
        governance_service.audit(
            session,
            actor=actor,
            action="consent_withdraw",
            object_type="student",
            object_id=student_id,
        )
    session.flush()
    return len(rows)
