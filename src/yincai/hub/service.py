"""The data hub's one door: imports of rosters, item banks, scores and learning logs, and lookups.

Every import validates the whole file first and raises ``Invalid`` with one ``RowError`` per
problem before writing anything; a preview works out what the import would change in a read-only
transaction; a confirmed import runs in the caller's session (one transaction per file, never
committed here), writes only what changed, by natural keys, and is kept in the import history
(``import_runs`` states the rule: the last confirmed file wins).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from yincai.domain.models import (
    Assessment,
    AssessmentClass,
    AssessmentKind,
    ImportBatch,
    School,
    SchoolClass,
    Student,
)
from yincai.domain.queries import (
    SittingTotal,
    full_score,
    full_score_query,
    full_scores,
    sitting_totals,
)
from yincai.errors import Conflict, Invalid, NotFound
from yincai.hub.import_history import HistoryPage, HistoryRow, import_history
from yincai.hub.import_runs import (
    KINDS,
    ImportRequest,
    plan_import,
    preview_import,
    revert_last_import,
    revertible_imports,
    run_import,
)
from yincai.hub.importers.assessments import (
    AssessmentSpec,
    check_assessment,
    store_assessment,
)
from yincai.hub.importers.common import ImportPlan, Progress, resolve_district
from yincai.hub.importers.logs import LogFormat
from yincai.hub.importers.marked_scores import import_marked_scores
from yincai.hub.importers.parsing import canonical_class_name
from yincai.hub.schemas import AssessmentItemSpec, ImportSummary
from yincai.i18n import _, join

__all__ = [
    "KINDS",
    "AssessmentItemSpec",
    "HistoryPage",
    "HistoryRow",
    "ImportPlan",
    "ImportRequest",
    "ImportSummary",
    "LogFormat",
    "SittingTotal",
    "all_assessment_ids",
    "assessment_class_ids",
    "canonical_class_name",
    "class_students",
    "create_assessment",
    "data_version",
    "find_class_id",
    "full_score",
    "full_score_query",
    "full_scores",
    "get_assessment",
    "import_history",
    "import_items",
    "import_logs",
    "import_marked_scores",
    "import_roster",
    "import_scores",
    "list_schools",
    "plan_import",
    "preview_import",
    "revert_last_import",
    "revertible_imports",
    "run_import",
    "sitting_totals",
]


def import_roster(
    session: Session,
    *,
    path: Path,
    district_code: str | None = None,
    district_name: str | None = None,
    user_account_id: int | None = None,
    origin: str = "cli",
) -> ImportSummary:
    """Import a roster (schools, classes, students, teachers) in the caller's transaction."""
    request = ImportRequest(
        "roster", path, district_code=district_code, district_name=district_name
    )
    return run_import(session, request, user_account_id=user_account_id, origin=origin)


def import_items(
    session: Session,
    *,
    path: Path,
    subject_code: str | None = None,
    user_account_id: int | None = None,
    origin: str = "cli",
) -> ImportSummary:
    """Import an item bank with its knowledge points in the caller's transaction."""
    request = ImportRequest("items", path, subject_code=subject_code)
    return run_import(session, request, user_account_id=user_account_id, origin=origin)


def import_scores(
    session: Session,
    *,
    path: Path,
    assessment_code: str,
    progress: Progress | None = None,
    user_account_id: int | None = None,
    origin: str = "cli",
) -> ImportSummary:
    """Import a per-question score sheet of one assessment in the caller's transaction."""
    request = ImportRequest("scores", path, assessment_code=assessment_code)
    return run_import(
        session, request, user_account_id=user_account_id, origin=origin, progress=progress
    )


def import_logs(
    session: Session,
    *,
    path: Path,
    format: LogFormat | str = LogFormat.CSV,
    source: str | None = None,
    district_code: str | None = None,
    students_path: Path | None = None,
    start_at: datetime | None = None,
    progress: Progress | None = None,
    user_account_id: int | None = None,
    origin: str = "cli",
) -> ImportSummary:
    """Import learning logs (CSV, xAPI or the three-line KT format) in the caller's transaction."""
    request = ImportRequest(
        "logs",
        path,
        log_format=format,
        source=source,
        district_code=district_code,
        students_path=students_path,
        start_at=start_at,
    )
    return run_import(
        session, request, user_account_id=user_account_id, origin=origin, progress=progress
    )


def list_schools(session: Session, *, district_code: str | None = None) -> list[School]:
    """The schools of a district (the only one when no code is given), ordered by code."""
    district = resolve_district(session, district_code)
    return list(
        session.scalars(
            select(School).where(School.district_id == district.id).order_by(School.code)
        )
    )


def data_version(session: Session) -> int:
    """A number that every import and every erasure moves on: caches of data derived from
    scores and rosters compare it to know they are still current (an erased student's name and
    scores must leave every kept report at once). Both counts only grow, so their sum never
    comes back to an earlier value."""
    imports, erasures = session.execute(
        select(
            select(func.max(ImportBatch.id)).scalar_subquery(),
            select(func.count(Student.anonymised_at)).scalar_subquery(),
        )
    ).one()
    return int(imports or 0) + int(erasures or 0)


def get_assessment(session: Session, *, code: str) -> Assessment:
    """The assessment with ``code``, its items in paper order."""
    assessment = session.scalars(select(Assessment).where(Assessment.code == code)).first()
    if assessment is None:
        raise NotFound(_("考试 {code} 不存在").format(code=code), code="assessment.not_found")
    return assessment


def all_assessment_ids() -> Select[int]:
    """Every assessment (for the operator's CLI, which has no scope)."""
    return select(Assessment.id)


def assessment_class_ids(session: Session, *, assessment_id: int) -> list[int]:
    """The classes that sit an assessment."""
    return list(
        session.scalars(
            select(AssessmentClass.school_class_id).where(
                AssessmentClass.assessment_id == assessment_id
            )
        )
    )


def class_students(session: Session, *, class_ids: Sequence[int]) -> list[tuple[str, str, str]]:
    """(student number, name, class name) of the students of these classes, class by class."""
    return [
        (number, name, class_name)
        for number, name, class_name in session.execute(
            select(Student.student_number, Student.name, SchoolClass.name)
            .join(SchoolClass, SchoolClass.id == Student.school_class_id)
            .where(Student.school_class_id.in_(class_ids))
            .order_by(SchoolClass.name, Student.student_number)
        )
    ]


def find_class_id(session: Session, *, school_code: str, class_name: str) -> int:
    """The class of a school named as a teacher writes it (bracket width and spaces ignored)."""
    wanted = canonical_class_name(class_name)
    for class_id, name in session.execute(
        select(SchoolClass.id, SchoolClass.name)
        .join(School, School.id == SchoolClass.school_id)
        .where(School.code == school_code)
    ):
        if canonical_class_name(name) == wanted:
            return int(class_id)
    raise NotFound(
        _("班级 {school_code}/{class_name} 不存在").format(
            school_code=school_code, class_name=class_name
        ),
        code="school_class.not_found",
    )


ItemSpecLike = AssessmentItemSpec | tuple[str, float] | tuple[str, float, str | None]


def create_assessment(
    session: Session,
    *,
    code: str,
    name: str,
    held_on: date,
    subject_code: str,
    grade_level: int,
    items: Sequence[ItemSpecLike],
    kind: AssessmentKind = AssessmentKind.EXAM,
    classes: Sequence[tuple[str, str]] = (),
    district_code: str | None = None,
) -> Assessment:
    """Create an assessment with its items (label, full score, optional bank item code) and the
    classes that sit it, as (school code, class name) pairs; scores are imported afterwards."""
    if session.scalars(select(Assessment.id).where(Assessment.code == code)).first() is not None:
        raise Conflict(_("考试 {code} 已存在").format(code=code), code="assessment.exists")
    spec = AssessmentSpec(
        code=code,
        name=name,
        kind=kind,
        held_on=held_on,
        subject_code=subject_code,
        grade_level=grade_level,
        items=tuple(
            item
            if isinstance(item, AssessmentItemSpec)
            else AssessmentItemSpec(
                label=item[0], full_score=item[1], item_code=item[2] if len(item) > 2 else None
            )
            for item in items
        ),
        classes=tuple(classes),
    )
    district = resolve_district(session, district_code)
    problems: list[str] = []
    resolved = check_assessment(session, spec, district.id, problems)
    if resolved is None:
        raise Invalid(join(problems, "；"), code="assessment.invalid", details=problems)
    return store_assessment(session, spec, resolved, district.id)
