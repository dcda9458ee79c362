"""The district cockpit (数据驾驶舱) and its early warnings (预警), for district and school leaders.

Everything is computed on the whole district (standing is relative to every student of an exam),
then cut to the actor's scope: a district admin sees the district, a school admin their school;
other roles are refused; the system (``SystemActor``: the CLI, benchmarks) sees a district it
names. Warnings read students' data, so each view is audited.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from yincai.accounts.actors import Actor, SystemActor
from yincai.accounts.models import Role, UserAccount
from yincai.cockpit import indicators
from yincai.cockpit.cache import AnalysedDistrict, CockpitCache, analysed
from yincai.cockpit.data import DistrictData
from yincai.cockpit.detection import (
    KIND_NAMES,
    Acknowledgement,
    EarlyWarning,
    Severity,
    WarningKind,
    WarningSubject,
)
from yincai.cockpit.models import WarningAcknowledgement
from yincai.cockpit.warnings import SENSITIVE, STANDARD
from yincai.domain.models import District, Grade, School, SchoolClass
from yincai.errors import Invalid, NotFound
from yincai.governance import service as governance_service
from yincai.i18n import _

MAX_NOTE_LENGTH = 500


@dataclass(frozen=True)
class Cockpit:
    scope: str  # "district" or "school"
    title: str
    kpis: indicators.Kpis
    schools: list[indicators.SchoolQuality]
    classes: list[indicators.ClassQuality]  # school view: its classes side by side
    weakest_kps: list[indicators.KpQuality]
    equity: indicators.Equity | None  # district view only
    trends: list[indicators.TrendPoint]
    warning_counts: dict[str, int] = field(default_factory=dict)
    n_open_warnings: int = 0


def cockpit(
    session: Session,
    *,
    actor: Actor,
    district_code: str | None = None,
    cache: CockpitCache | None = None,
) -> Cockpit:
    """Quality, equity and trends of the actor's district (district admin) or school; ``cache``
    keeps the analysed district between requests."""
    district_id, school_ids = _scope(session, actor=actor, district_code=district_code)
    district = analysed(session, district_id, cache)
    school_id = _own_school(actor)
    found = _in_scope(_acknowledged(session, district_id, district.warnings(STANDARD)), school_ids)
    counts: dict[str, int] = {}
    for warning in found:
        counts[warning.kind.value] = counts.get(warning.kind.value, 0) + 1
    title = (
        _district_name(session, district_id)
        if school_id is None
        else _school_name(district.data, school_id)
    )
    governance_service.audit(
        session,
        actor=actor,
        action="cockpit_view",
        object_type="district" if school_id is None else "school",
        object_id=district_id if school_id is None else school_id,
    )
    indicators_in_scope: Cockpit = district.derived(
        ("cockpit", frozenset(school_ids), school_id is None),
        lambda: _indicators(session, district, school_ids, is_district=school_id is None),
    )
    return replace(
        indicators_in_scope,
        title=title,
        warning_counts=counts,
        n_open_warnings=sum(1 for w in found if w.acknowledgement is None),
    )


def _indicators(
    session: Session, district: AnalysedDistrict, school_ids: set[int], *, is_district: bool
) -> Cockpit:
    """The cockpit's numbers for the schools in sight (no title nor warnings yet)."""
    data, view = district.data, district.view
    in_scope_schools = np.isin(np.array(data.school_ids, dtype=np.int64), list(school_ids))
    in_scope = in_scope_schools[data.student_school] if data.student_ids.size else in_scope_schools
    return Cockpit(
        scope="district" if is_district else "school",
        title="",
        kpis=indicators.kpis(data, view, in_scope),
        schools=indicators.school_quality(data, view, in_scope),
        classes=[] if is_district else indicators.class_quality(data, view, in_scope),
        weakest_kps=indicators.kp_quality(data, district.kp_scores(session), in_scope_schools)[
            : indicators.N_WEAKEST_KPS
        ],
        equity=indicators.equity(data, view) if is_district else None,
        trends=indicators.trends(data, view, in_scope, with_equity=is_district),
    )


def early_warnings(
    session: Session,
    *,
    actor: Actor,
    district_code: str | None = None,
    kind: WarningKind | None = None,
    is_sensitive: bool = False,
    cache: CockpitCache | None = None,
) -> list[EarlyWarning]:
    """The warnings in the actor's scope, open ones first, then by severity and kind; sensitive
    limits miss fewer cases at the cost of more false alarms.

    Admins see their district or school; a teacher (班主任 included: the head teacher of a class
    teaches it) sees the warnings about the classes they teach and those classes' students."""
    school_ids: set[int] | None
    class_ids: set[int] | None
    if isinstance(actor, UserAccount) and actor.role is Role.TEACHER:
        district_id = actor.district_id
        class_ids = set(session.scalars(governance_service.visible_class_ids(actor)))
        school_ids = None
    else:
        district_id, school_ids = _scope(session, actor=actor, district_code=district_code)
        class_ids = None
    found = analysed(session, district_id, cache).warnings(SENSITIVE if is_sensitive else STANDARD)
    if class_ids is not None:
        found = [w for w in found if w.subject.school_class_id in class_ids]
    else:
        assert school_ids is not None
        found = _in_scope(found, school_ids)
    if kind is not None:
        found = [w for w in found if w.kind is kind]
    found = _acknowledged(session, district_id, found)
    school_id = _own_school(actor)
    if class_ids is not None:
        assert isinstance(actor, UserAccount)
        where = ("user_account", actor.id)
    else:
        where = ("district", district_id) if school_id is None else ("school", school_id)
    governance_service.audit(
        session,
        actor=actor,
        action="warnings_view",
        object_type=where[0],
        object_id=where[1],
        student_ids=[w.subject.student_id for w in found if w.subject.student_id is not None],
    )
    order = list(WarningKind)
    return sorted(
        found,
        key=lambda w: (
            w.acknowledgement is not None,
            w.severity is not Severity.HIGH,
            order.index(w.kind),
            w.key,
        ),
    )


@dataclass(frozen=True)
class WarningFilters:
    """What the warnings page narrows to; None (an empty form field) means "any"."""

    kind: WarningKind | None = None
    severity: Severity | None = None
    school_id: int | None = None
    school_class_id: int | None = None
    acknowledged: bool | None = None


def filter_warnings(found: list[EarlyWarning], filters: WarningFilters) -> list[EarlyWarning]:
    """The warnings that pass every filter set (order kept)."""
    return [
        w
        for w in found
        if (filters.kind is None or w.kind is filters.kind)
        and (filters.severity is None or w.severity is filters.severity)
        and (filters.school_id is None or w.subject.school_id == filters.school_id)
        and (
            filters.school_class_id is None or w.subject.school_class_id == filters.school_class_id
        )
        and (
            filters.acknowledged is None or (w.acknowledgement is not None) == filters.acknowledged
        )
    ]


@dataclass(frozen=True)
class Place:
    id: int
    name: str


def warning_places(session: Session, *, actor: UserAccount) -> tuple[list[Place], list[Place]]:
    """The schools and classes the actor's warnings can be narrowed to (their scope only)."""
    if actor.role is Role.TEACHER:
        class_ids = governance_service.visible_class_ids(actor)
        schools: list[Place] = []
    else:
        governance_service.require_role(actor, *governance_service.ADMIN_ROLES)
        school_query = governance_service.visible_school_ids(actor)
        schools = [
            Place(school_id, f"{code} {name}")
            for school_id, code, name in session.execute(
                select(School.id, School.code, School.name)
                .where(School.id.in_(school_query))
                .order_by(School.code)
            ).all()
        ]
        class_ids = select(SchoolClass.id).where(SchoolClass.school_id.in_(school_query))
    classes = [
        Place(class_id, f"{school}{name}" if actor.role is not Role.SCHOOL_ADMIN else name)
        for class_id, name, school in session.execute(
            select(SchoolClass.id, SchoolClass.name, School.name)
            .join(School, School.id == SchoolClass.school_id)
            .join(Grade, Grade.id == SchoolClass.grade_id)
            .where(SchoolClass.id.in_(class_ids))
            .order_by(School.code, Grade.level, SchoolClass.name)
        ).all()
    ]
    return schools, classes


def acknowledge(
    session: Session,
    *,
    actor: UserAccount,
    key: str,
    note: str = "",
    cache: CockpitCache | None = None,
) -> WarningAcknowledgement:
    """Record that the actor has seen a warning in their scope, with an optional note."""
    governance_service.require_role(actor, *governance_service.ADMIN_ROLES)
    note = note.strip()
    if len(note) > MAX_NOTE_LENGTH:
        raise Invalid(
            _("备注最多 {limit} 字").format(limit=MAX_NOTE_LENGTH), code="warning.note_too_long"
        )
    district_id, school_ids = _scope(session, actor=actor)
    current = _in_scope(analysed(session, district_id, cache).warnings(SENSITIVE), school_ids)
    if key not in {w.key for w in current}:
        raise NotFound(
            _("预警 {key} 不存在或不在您的范围内").format(key=key), code="warning.not_found"
        )
    row = WarningAcknowledgement(
        district_id=district_id,
        warning_key=key,
        acknowledged_by=actor.id,
        acknowledged_at=datetime.now(UTC),
        note=note,
    )
    session.add(row)
    session.flush()
    governance_service.audit(
        session, actor=actor, action="warning_acknowledge", object_type="warning", object_id=key
    )
    return row


def _scope(
    session: Session, *, actor: Actor, district_code: str | None = None
) -> tuple[int, set[int]]:
    """The district and the school ids in sight; the system sees the whole district it names
    (the first one if it names none)."""
    if isinstance(actor, SystemActor):
        query = select(District.id).order_by(District.id)
        if district_code is not None:
            query = query.where(District.code == district_code)
        district_id = session.scalars(query).first()
        if district_id is None:
            raise NotFound(
                _("区 {code} 不存在").format(code=district_code or ""), code="district.not_found"
            )
        return district_id, set(
            session.scalars(select(School.id).where(School.district_id == district_id))
        )
    governance_service.require_role(actor, *governance_service.ADMIN_ROLES)
    school_ids = set(session.scalars(governance_service.visible_school_ids(actor)))
    return actor.district_id, school_ids


def _own_school(actor: Actor) -> int | None:
    """The school a school admin's view is cut to; None for the district's view."""
    if isinstance(actor, UserAccount) and actor.role is Role.SCHOOL_ADMIN:
        return actor.school_id
    return None


def _district_name(session: Session, district_id: int) -> str:
    district = session.get(District, district_id)
    assert district is not None  # _scope found it
    return district.name


def _school_name(data: DistrictData, school_id: int | None) -> str:
    if school_id not in data.school_ids:
        return ""
    return data.school_names[data.school_ids.index(school_id)]


def _in_scope(found: list[EarlyWarning], school_ids: set[int]) -> list[EarlyWarning]:
    return [w for w in found if w.subject.school_id in school_ids]


def _acknowledged(
    session: Session, district_id: int, found: list[EarlyWarning]
) -> list[EarlyWarning]:
    """The warnings with their latest acknowledgement attached."""
    rows = session.scalars(
        select(WarningAcknowledgement)
        .where(WarningAcknowledgement.district_id == district_id)
        .order_by(WarningAcknowledgement.acknowledged_at, WarningAcknowledgement.id)
    ).all()
    latest = {row.warning_key: row for row in rows}
    out = []
    for warning in found:
        row = latest.get(warning.key)
        seen = (
            None
            if row is None
            else Acknowledgement(row.acknowledged_by, row.acknowledged_at, row.note)
        )
        out.append(replace(warning, acknowledgement=seen))
    return out


__all__ = [
    "KIND_NAMES",
    "Acknowledgement",
    "Cockpit",
    "EarlyWarning",
    "Place",
    "Severity",
    "WarningFilters",
    "WarningKind",
    "WarningSubject",
    "acknowledge",
    "cockpit",
    "early_warnings",
    "filter_warnings",
    "warning_places",
]
