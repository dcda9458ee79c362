"""Pydantic schemas of the cockpit JSON API: the cockpit's numbers, early warnings and their
acknowledgements, field for field as the service's dataclasses."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from yincai.cockpit.detection import Severity, WarningKind
from yincai.cockpit.service import MAX_NOTE_LENGTH
from yincai.web.json_types import FiniteFloat, UtcDateTime


class AcknowledgementCreate(BaseModel):
    key: str = Field(min_length=1, max_length=64)
    note: str = Field(default="", max_length=MAX_NOTE_LENGTH)


class AcknowledgementRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    warning_key: str
    acknowledged_by: int
    acknowledged_at: UtcDateTime
    note: str


class WarningSubjectRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    school_id: int
    school_class_id: int | None
    student_id: int | None
    assessment_id: int | None


class WarningAcknowledgementRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    acknowledged_by: int
    acknowledged_at: UtcDateTime
    note: str


class WarningRead(BaseModel):
    """One early warning: its subject's ids, the reason in words and the numbers behind it."""

    model_config = ConfigDict(from_attributes=True)
    key: str
    kind: WarningKind
    severity: Severity
    subject: WarningSubjectRead
    title: str
    reason: str
    evidence: dict[str, FiniteFloat]
    link: str
    acknowledgement: WarningAcknowledgementRead | None


class KpisRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    n_schools: int
    n_classes: int
    n_students: int
    n_exams: int
    latest_round: str | None
    participation: FiniteFloat
    score_rate: FiniteFloat
    pass_rate: FiniteFloat
    excellent_rate: FiniteFloat


class SchoolQualityRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    school_id: int
    code: str
    name: str
    setting: str
    n_students: int
    score_rate: FiniteFloat
    pass_rate: FiniteFloat
    excellent_rate: FiniteFloat
    mean_z: FiniteFloat
    change_z: FiniteFloat


class ClassQualityRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    school_class_id: int
    name: str
    grade_level: int
    n_students: int
    score_rate: FiniteFloat
    pass_rate: FiniteFloat
    excellent_rate: FiniteFloat
    mean_z: FiniteFloat
    change_z: FiniteFloat


class KpQualityRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    knowledge_point_id: int
    code: str
    name: str
    score_rate: FiniteFloat
    urban: FiniteFloat
    township: FiniteFloat
    rural: FiniteFloat


class EquityRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    urban_rural_gap: FiniteFloat
    first_urban_rural_gap: FiniteFloat
    icc: FiniteFloat
    school_sd: FiniteFloat
    school_range: FiniteFloat


class TrendPointRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    round: int
    label: str
    participation: FiniteFloat
    score_rate: FiniteFloat
    pass_rate: FiniteFloat
    urban_rural_gap: FiniteFloat
    icc: FiniteFloat
    school_sd: FiniteFloat


class CockpitRead(BaseModel):
    """KPIs, quality by school and knowledge point, equity (district view) and trends."""

    model_config = ConfigDict(from_attributes=True)
    scope: str
    title: str
    kpis: KpisRead
    schools: list[SchoolQualityRead]
    classes: list[ClassQualityRead]
    weakest_kps: list[KpQualityRead]
    equity: EquityRead | None
    trends: list[TrendPointRead]
    warning_counts: dict[str, int]
    n_open_warnings: int
