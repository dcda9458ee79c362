"""The data hub's one door: imports of rosters, item banks, scores and learning logs, and lookups.

Every import validates the whole file first and raises ``Invalid`` with one ``RowError`` per
problem before writing anything; it works inside the caller's session (one transaction per file,
never committed here), upserts by natural keys so that importing a file twice changes nothing, and
records an ``ImportBatch``: the same content again is reported as already imported.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yincai.errors import Conflict, Invalid, NotFound
from yincai.hub.importers.common import resolve_district
from yincai.hub.importers.items import import_items
from yincai.hub.importers.logs import LogFormat, import_logs
from yincai.hub.importers.roster import import_roster
from yincai.hub.importers.scores import import_scores
from yincai.hub.importers.subjects import SubjectBook
from yincai.hub.models import (
    Assessment,
    AssessmentClass,
    AssessmentItem,
    AssessmentKind,
    ImportBatch,
    Item,
    School,
    SchoolClass,
)
from yincai.hub.schemas import AssessmentItemSpec, ImportSummary

__all__ = [
    "AssessmentItemSpec",
    "ImportSummary",
    "LogFormat",
    "create_assessment",
    "data_version",
    "get_assessment",
    "import_items",
    "import_logs",
    "import_roster",
    "import_scores",
    "list_schools",
]

ItemSpecLike = AssessmentItemSpec | tuple[str, float] | tuple[str, float, str | None]


def list_schools(session: Session, *, district_code: str | None = None) -> list[School]:
    """The schools of a district (the only one when no code is given), ordered by code."""
    district = resolve_district(session, district_code)
    return list(
        session.scalars(
            select(School).where(School.district_id == district.id).order_by(School.code)
        )
    )


def data_version(session: Session) -> int:
    """A number that every import moves on (the newest import batch): caches of data derived
    from scores and rosters compare it to know they are still current."""
    return int(session.scalar(select(func.max(ImportBatch.id))) or 0)


def get_assessment(session: Session, *, code: str) -> Assessment:
    """The assessment with ``code``, its items in paper order."""
    assessment = session.scalars(select(Assessment).where(Assessment.code == code)).first()
    if assessment is None:
        raise NotFound(f"考试 {code} 不存在 / assessment {code} does not exist")
    return assessment


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
        raise Conflict(f"考试 {code} 已存在 / assessment {code} already exists")
    specs = [
        spec
        if isinstance(spec, AssessmentItemSpec)
        else AssessmentItemSpec(
            label=spec[0], full_score=spec[1], item_code=spec[2] if len(spec) > 2 else None
        )
        for spec in items
    ]
    if not specs:
        raise Invalid("考试至少需要一道小题 / an assessment needs at least one item")
    labels = [spec.label for spec in specs]
    if len(set(labels)) != len(labels):
        raise Invalid(f"小题标签重复 / duplicate item labels: {labels}")
    if not 1 <= grade_level <= 12:
        raise Invalid(f"年级应为 1–12 / grade level {grade_level} out of range")
    district = resolve_district(session, district_code)
    subjects = SubjectBook(session)
    try:
        subject = subjects.get(subjects.code_of(subject_code))
    except ValueError as problem:
        raise Invalid(str(problem)) from None
    wanted = [spec.item_code for spec in specs if spec.item_code]
    query = select(Item.code, Item.id).where(Item.code.in_(wanted))
    bank = dict(session.execute(query).all())
    unknown = [spec.item_code for spec in specs if spec.item_code and spec.item_code not in bank]
    if unknown:
        raise NotFound(f"题库中没有这些题目 / unknown items: {', '.join(map(str, unknown))}")
    class_ids = _class_ids(session, district.id, classes)
    assessment = Assessment(
        code=code,
        name=name,
        kind=kind,
        held_on=held_on,
        subject_id=subject.id,
        grade_level=grade_level,
        district_id=district.id,
    )
    assessment.items = [
        AssessmentItem(
            position=position,
            label=spec.label,
            full_score=spec.full_score,
            item_id=bank[spec.item_code] if spec.item_code else None,
        )
        for position, spec in enumerate(specs, start=1)
    ]
    session.add(assessment)
    session.flush()
    session.add_all(
        AssessmentClass(assessment_id=assessment.id, school_class_id=class_id)
        for class_id in class_ids
    )
    session.flush()
    return assessment


def _class_ids(session: Session, district_id: int, classes: Sequence[tuple[str, str]]) -> list[int]:
    stored = {
        (school_code, class_name): class_id
        for school_code, class_name, class_id in session.execute(
            select(School.code, SchoolClass.name, SchoolClass.id)
            .join(SchoolClass, SchoolClass.school_id == School.id)
            .where(School.district_id == district_id)
        )
    }
    missing = [f"{school}/{name}" for school, name in classes if (school, name) not in stored]
    if missing:
        raise NotFound(f"班级不存在 / unknown classes: {', '.join(missing)}")
    return sorted({stored[key] for key in classes})
