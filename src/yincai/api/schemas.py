"""Pydantic answers of ``/api/v1``, each with an example for the OpenAPI document (``/docs``).

Lists answer ``{"data": [...], "next_cursor": "…" | null}`` (``api.paging``); one class per list
so that each carries its own example.
"""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from yincai.accounts.models import Role
from yincai.cockpit.detection import Severity, WarningKind
from yincai.diagnosis.levels import MasteryBand
from yincai.domain.models import AssessmentKind, Gender, ItemType, KpLevel, Setting, Stage
from yincai.exports.models import ExportState
from yincai.web.json_types import FiniteFloat, UtcDateTime

CURSOR_EXAMPLE = "c32"


def _examples(*examples: dict[str, Any]) -> ConfigDict:
    return ConfigDict(from_attributes=True, json_schema_extra={"examples": list(examples)})


def _page(item: dict[str, Any]) -> ConfigDict:
    return _examples({"data": [item], "next_cursor": CURSOR_EXAMPLE})


class AccountRead(BaseModel):
    """The signed-in account: its role and the ids its scope is bound to."""

    EXAMPLE: ClassVar[dict[str, Any]] = {
        "id": 12,
        "username": "t.wang",
        "role": "teacher",
        "display_name": "王老师",
        "district_id": 1,
        "school_id": 2,
        "teacher_id": 7,
        "student_id": None,
        "is_active": True,
    }
    model_config = _examples(EXAMPLE)

    id: int
    username: str
    role: Role
    display_name: str
    district_id: int
    school_id: int | None
    teacher_id: int | None
    student_id: int | None
    is_active: bool


class DistrictRead(BaseModel):
    """The caller's district and what it holds."""

    model_config = _examples(
        {
            "id": 1,
            "code": "D01",
            "name": "示范区",
            "n_schools": 12,
            "n_classes": 96,
            "n_students": 4300,
        }
    )

    id: int
    code: str
    name: str
    n_schools: int
    n_classes: int
    n_students: int = Field(description="students on the roll (anonymised ones left out)")


class SchoolRead(BaseModel):
    EXAMPLE: ClassVar[dict[str, Any]] = {
        "id": 2,
        "district_id": 1,
        "code": "S02",
        "name": "第二中学",
        "setting": "urban",
        "stage": "junior",
    }
    model_config = _examples(EXAMPLE)

    id: int
    district_id: int
    code: str
    name: str
    setting: Setting
    stage: Stage


class SchoolPage(BaseModel):
    model_config = _page(SchoolRead.EXAMPLE)
    data: list[SchoolRead]
    next_cursor: str | None


class ClassRead(BaseModel):
    EXAMPLE: ClassVar[dict[str, Any]] = {
        "id": 31,
        "school_id": 2,
        "name": "七年级（3）班",
        "grade_level": 7,
        "grade_name": "七年级",
        "n_students": 45,
    }
    model_config = _examples(EXAMPLE)

    id: int
    school_id: int
    name: str
    grade_level: int
    grade_name: str
    n_students: int


class ClassPage(BaseModel):
    model_config = _page(ClassRead.EXAMPLE)
    data: list[ClassRead]
    next_cursor: str | None


class TeacherRead(BaseModel):
    EXAMPLE: ClassVar[dict[str, Any]] = {
        "id": 7,
        "school_id": 2,
        "staff_number": "T0207",
        "name": "王芳",
        "gender": "female",
    }
    model_config = _examples(EXAMPLE)

    id: int
    school_id: int
    staff_number: str
    name: str
    gender: Gender | None


class TeacherPage(BaseModel):
    model_config = _page(TeacherRead.EXAMPLE)
    data: list[TeacherRead]
    next_cursor: str | None


class AssignmentRead(BaseModel):
    """Who teaches which subject to a class (任课)."""

    EXAMPLE: ClassVar[dict[str, Any]] = {
        "id": 88,
        "teacher_id": 7,
        "teacher_name": "王芳",
        "school_class_id": 31,
        "subject_code": "MATH",
        "subject_name": "数学",
        "is_head_teacher": True,
    }
    model_config = _examples(EXAMPLE)

    id: int
    teacher_id: int
    teacher_name: str
    school_class_id: int
    subject_code: str
    subject_name: str
    is_head_teacher: bool


class AssignmentPage(BaseModel):
    model_config = _page(AssignmentRead.EXAMPLE)
    data: list[AssignmentRead]
    next_cursor: str | None


class StudentRead(BaseModel):
    """A student on the roll (no guardian data: see ``/students/{id}/guardian``)."""

    EXAMPLE: ClassVar[dict[str, Any]] = {
        "id": 1024,
        "district_id": 1,
        "school_class_id": 31,
        "student_number": "2026070301",
        "name": "李明",
        "gender": "male",
        "enrolment_year": 2026,
        "left_on": None,
    }
    model_config = _examples(EXAMPLE)

    id: int
    district_id: int
    school_class_id: int
    student_number: str
    name: str
    gender: Gender
    enrolment_year: int | None
    left_on: date | None


class StudentPage(BaseModel):
    model_config = _page(StudentRead.EXAMPLE)
    data: list[StudentRead]
    next_cursor: str | None


class GuardianRead(BaseModel):
    """A student's guardian as the roster holds it (staff of the student only; audited)."""

    model_config = _examples({"id": 1024, "guardian_name": "李华", "guardian_phone": "13800000000"})

    id: int = Field(description="the student's id")
    guardian_name: str | None
    guardian_phone: str | None


class LinkedAccountRead(BaseModel):
    """An account bound to a student: the student's own or a parent's."""

    EXAMPLE: ClassVar[dict[str, Any]] = {
        "id": 301,
        "username": "p.li",
        "role": "parent",
        "is_active": True,
    }
    model_config = _examples(EXAMPLE)

    id: int
    username: str
    role: Role
    is_active: bool


class LinkedAccountPage(BaseModel):
    model_config = _page(LinkedAccountRead.EXAMPLE)
    data: list[LinkedAccountRead]
    next_cursor: str | None


class ResultRead(BaseModel):
    """One student's sitting of one assessment: the total for staff, the band for everyone."""

    EXAMPLE: ClassVar[dict[str, Any]] = {
        "sitting_id": 5501,
        "assessment_id": 9,
        "assessment_code": "2026-MATH-7-MID",
        "student_id": 1024,
        "is_absent": False,
        "total": 96.5,
        "full_score": 120.0,
        "band": "B",
    }
    model_config = _examples(EXAMPLE)

    sitting_id: int
    assessment_id: int
    assessment_code: str
    student_id: int
    is_absent: bool
    total: FiniteFloat = Field(description="staff only; null for students, parents and absences")
    full_score: float
    band: str | None = Field(description="grade band (等级); null when absent")


class ResultPage(BaseModel):
    model_config = _page(ResultRead.EXAMPLE)
    data: list[ResultRead]
    next_cursor: str | None


class ItemScoreRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    assessment_item_id: int
    label: str
    full_score: float
    score: FiniteFloat = Field(description="null: no score recorded")


class StudentResultRead(BaseModel):
    """One student's score on each question of one assessment."""

    model_config = _examples(
        {
            "assessment_id": 9,
            "student_id": 1024,
            "is_absent": False,
            "total": 96.5,
            "full_score": 120.0,
            "band": "B",
            "items": [{"assessment_item_id": 70, "label": "1", "full_score": 4.0, "score": 4.0}],
        }
    )

    assessment_id: int
    student_id: int
    is_absent: bool
    total: FiniteFloat
    full_score: float
    band: str | None
    items: list[ItemScoreRead]


class MasteryPointRead(BaseModel):
    """A student's mastery of one knowledge point (``diagnosis.levels``)."""

    EXAMPLE: ClassVar[dict[str, Any]] = {
        "kp_id": 140,
        "kp_code": "MATH-7A-2-1-3",
        "kp_name": "合并同类项",
        "mastery": 0.72,
        "level_low": 0.55,
        "level_high": 0.85,
        "band": "basic",
        "band_word": "基本掌握",
        "is_taught": True,
        "n_evidence": 6,
        "last_seen_on": "2026-11-20",
    }
    model_config = _examples(EXAMPLE)

    kp_id: int
    kp_code: str
    kp_name: str
    mastery: float
    level_low: float
    level_high: float
    band: MasteryBand
    band_word: str
    is_taught: bool
    n_evidence: int
    last_seen_on: date | None


class MasteryPointPage(BaseModel):
    model_config = _page(MasteryPointRead.EXAMPLE)
    data: list[MasteryPointRead]
    next_cursor: str | None


class KpMeanRead(BaseModel):
    """A class's mean mastery of one knowledge point."""

    EXAMPLE: ClassVar[dict[str, Any]] = {
        "kp_id": 140,
        "kp_code": "MATH-7A-2-1-3",
        "mean_mastery": 0.64,
        "n_students": 44,
    }
    model_config = _examples(EXAMPLE)

    kp_id: int
    kp_code: str
    mean_mastery: float
    n_students: int = Field(description="students whose data may be used (consent)")


class KpMeanPage(BaseModel):
    model_config = _page(KpMeanRead.EXAMPLE)
    data: list[KpMeanRead]
    next_cursor: str | None


class WarningRead(BaseModel):
    """An early warning: what it is about (ids), why, the numbers behind it."""

    EXAMPLE: ClassVar[dict[str, Any]] = {
        "key": "declining_student:1024",
        "kind": "declining_student",
        "severity": "high",
        "school_id": 2,
        "school_class_id": 31,
        "student_id": 1024,
        "assessment_id": None,
        "title": "成绩持续下滑",
        "reason": "最近三次考试标准分下降 0.9",
        "evidence": {"z_drop": 0.9},
        "is_acknowledged": False,
    }
    model_config = _examples(EXAMPLE)

    key: str
    kind: WarningKind
    severity: Severity
    school_id: int
    school_class_id: int | None
    student_id: int | None
    assessment_id: int | None
    title: str
    reason: str
    evidence: dict[str, float]
    is_acknowledged: bool


class WarningPage(BaseModel):
    model_config = _page(WarningRead.EXAMPLE)
    data: list[WarningRead]
    next_cursor: str | None


class SubjectRead(BaseModel):
    EXAMPLE: ClassVar[dict[str, Any]] = {"id": 2, "code": "MATH", "name": "数学"}
    model_config = _examples(EXAMPLE)
    id: int
    code: str
    name: str


class SubjectPage(BaseModel):
    model_config = _page(SubjectRead.EXAMPLE)
    data: list[SubjectRead]
    next_cursor: str | None


class KnowledgePointRead(BaseModel):
    EXAMPLE: ClassVar[dict[str, Any]] = {
        "id": 140,
        "subject_id": 2,
        "code": "MATH-7A-2-1-3",
        "name": "合并同类项",
        "level": "point",
        "parent_id": 139,
        "grade_level": 7,
        "semester": 1,
        "position": 3,
    }
    model_config = _examples(EXAMPLE)

    id: int
    subject_id: int
    code: str
    name: str
    level: KpLevel
    parent_id: int | None
    grade_level: int | None
    semester: int | None
    position: int


class KnowledgePointPage(BaseModel):
    model_config = _page(KnowledgePointRead.EXAMPLE)
    data: list[KnowledgePointRead]
    next_cursor: str | None


class KnowledgePointDetailRead(KnowledgePointRead):
    """A knowledge point with its subject and the points it needs first."""

    model_config = _examples(
        {**KnowledgePointRead.EXAMPLE, "subject_code": "MATH", "prerequisite_ids": [131, 132]}
    )
    subject_code: str
    prerequisite_ids: list[int]


class ItemKpRead(BaseModel):
    knowledge_point_id: int
    code: str
    weight: float


class ItemRead(BaseModel):
    """A bank item with its answer (staff only)."""

    model_config = _examples(
        {
            "id": 5,
            "code": "M7A-0005",
            "subject_code": "MATH",
            "item_type": "single_choice",
            "stem": "计算 $2x+3x$ 的结果是",
            "options": ["5x", "6x", "5x^2", "6"],
            "answer": "A",
            "full_score": 3.0,
            "grade_level": 7,
            "difficulty": 0.8,
            "knowledge_points": [
                {"knowledge_point_id": 140, "code": "MATH-7A-2-1-3", "weight": 1.0}
            ],
        }
    )

    id: int
    code: str
    subject_code: str
    item_type: ItemType
    stem: str
    options: list[str]
    answer: str
    full_score: float
    grade_level: int | None
    difficulty: FiniteFloat
    knowledge_points: list[ItemKpRead]


class AssessmentRead(BaseModel):
    EXAMPLE: ClassVar[dict[str, Any]] = {
        "id": 9,
        "code": "2026-MATH-7-MID",
        "name": "七年级数学期中",
        "kind": "exam",
        "held_on": "2026-11-10",
        "subject_id": 2,
        "grade_level": 7,
        "district_id": 1,
    }
    model_config = _examples(EXAMPLE)

    id: int
    code: str
    name: str
    kind: AssessmentKind
    held_on: date
    subject_id: int
    grade_level: int
    district_id: int


class AssessmentPage(BaseModel):
    model_config = _page(AssessmentRead.EXAMPLE)
    data: list[AssessmentRead]
    next_cursor: str | None


class AssessmentDetailRead(AssessmentRead):
    """An assessment with its subject, full score and the classes in sight that sat it."""

    model_config = _examples(
        {
            **AssessmentRead.EXAMPLE,
            "subject_code": "MATH",
            "full_score": 120.0,
            "class_ids": [31, 32],
        }
    )
    subject_code: str
    full_score: float
    class_ids: list[int]


class AssessmentItemRead(BaseModel):
    EXAMPLE: ClassVar[dict[str, Any]] = {
        "id": 70,
        "assessment_id": 9,
        "item_id": 5,
        "position": 1,
        "label": "1",
        "full_score": 4.0,
    }
    model_config = _examples(EXAMPLE)

    id: int
    assessment_id: int
    item_id: int | None
    position: int
    label: str
    full_score: float


class AssessmentItemPage(BaseModel):
    model_config = _page(AssessmentItemRead.EXAMPLE)
    data: list[AssessmentItemRead]
    next_cursor: str | None


class RatesRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    excellent_cutoff: float
    good_cutoff: float
    pass_cutoff: float
    n_excellent: int
    n_good: int
    n_pass: int
    excellent_rate: FiniteFloat
    good_rate: FiniteFloat
    pass_rate: FiniteFloat


class SummaryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    n_participants: int
    n_absent: int
    full_score: float
    mean: FiniteFloat
    median: FiniteFloat
    sd: FiniteFloat
    max: FiniteFloat
    min: FiniteFloat
    score_rate: FiniteFloat
    rates: RatesRead = Field(description="三率: excellent, good and pass counts and shares")


class StatisticsRead(BaseModel):
    """An exam's totals in one scope (district, school or class): centre, spread and 三率."""

    model_config = _examples(
        {
            "assessment_id": 9,
            "scope_kind": "class",
            "scope_title": "第二中学 七年级（3）班",
            "summary": {
                "n_participants": 44,
                "n_absent": 1,
                "full_score": 120.0,
                "mean": 88.2,
                "median": 90.0,
                "sd": 15.1,
                "max": 118.0,
                "min": 41.0,
                "score_rate": 0.735,
                "rates": {
                    "excellent_cutoff": 102.0,
                    "good_cutoff": 90.0,
                    "pass_cutoff": 72.0,
                    "n_excellent": 9,
                    "n_good": 21,
                    "n_pass": 37,
                    "excellent_rate": 0.205,
                    "good_rate": 0.477,
                    "pass_rate": 0.841,
                },
            },
        }
    )

    assessment_id: int
    scope_kind: str
    scope_title: str
    summary: SummaryRead


class AuditEventRead(BaseModel):
    """One audit row: ids only, never names."""

    EXAMPLE: ClassVar[dict[str, Any]] = {
        "id": 4411,
        "at": "2026-12-03T09:15:00Z",
        "user_account_id": 12,
        "action": "view_results",
        "object_type": "student",
        "object_id": "1024",
        "scope": "teacher:7",
        "path": None,
        "student_ids": [1024],
    }
    model_config = _examples(EXAMPLE)

    id: int
    at: UtcDateTime
    user_account_id: int | None
    action: str
    object_type: str
    object_id: str
    scope: str
    path: str | None
    student_ids: list[int]


class AuditEventPage(BaseModel):
    model_config = _page(AuditEventRead.EXAMPLE)
    data: list[AuditEventRead]
    next_cursor: str | None


class TokenCreate(BaseModel):
    """A new API token for a staff account of the district."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"user_account_id": 12, "name": "区数据中心", "days": 365}]}
    )

    user_account_id: int = Field(description="the staff account the token reads as")
    name: str = Field(min_length=1, max_length=100, description="what the token is for")
    days: int = Field(default=365, ge=1, le=730, description="valid for this many days")


class TokenRead(BaseModel):
    """An API token as stored: never the token itself."""

    EXAMPLE: ClassVar[dict[str, Any]] = {
        "id": 3,
        "user_account_id": 12,
        "name": "区数据中心",
        "created_at": "2026-12-03T09:00:00Z",
        "expires_at": "2027-12-03T09:00:00Z",
        "revoked_at": None,
        "last_used_at": "2026-12-03T10:12:00Z",
    }
    model_config = _examples(EXAMPLE)

    id: int
    user_account_id: int
    name: str
    created_at: UtcDateTime
    expires_at: UtcDateTime | None
    revoked_at: UtcDateTime | None
    last_used_at: UtcDateTime | None


class TokenPage(BaseModel):
    model_config = _page(TokenRead.EXAMPLE)
    data: list[TokenRead]
    next_cursor: str | None


class TokenCreatedRead(TokenRead):
    """A new token: ``token`` is shown this once and cannot be read again."""

    model_config = _examples({**TokenRead.EXAMPLE, "token": "yc_3q2…", "last_used_at": None})
    token: str = Field(description="send as `Authorization: Bearer <token>`; shown once")


class OneRosterExportRead(BaseModel):
    """A OneRoster export asked for: its options, state and progress while the job worker builds
    it; ``file_url`` downloads the ZIP once ``state`` is ``done``."""

    EXAMPLE: ClassVar[dict[str, Any]] = {
        "id": 5,
        "state": "running",
        "progress": 0.45,
        "with_names": False,
        "with_results": True,
        "hub_version": 37,
        "is_current": True,
        "is_stalled": False,
        "is_worker_running": True,
        "message": "",
        "n_students": 0,
        "n_bytes": 0,
        "created_at": "2026-12-03T09:00:00Z",
        "finished_at": None,
        "status_url": "/api/v1/exports/oneroster/5",
        "file_url": None,
    }
    model_config = _examples(
        EXAMPLE,
        {
            **EXAMPLE,
            "state": "done",
            "progress": 1.0,
            "n_students": 7040,
            "n_bytes": 6_812_345,
            "finished_at": "2026-12-03T09:00:21Z",
            "file_url": "/api/v1/exports/oneroster/5/file",
        },
    )

    id: int
    state: ExportState = Field(description="queued, running, done or failed")
    progress: FiniteFloat = Field(description="share of the build done, 0 to 1")
    with_names: bool
    with_results: bool
    hub_version: int = Field(description="the data version it was asked at (imports move it on)")
    is_current: bool = Field(description="no import or erasure since it was asked for")
    is_stalled: bool = Field(description="running without progress for 10 minutes: ask again")
    is_worker_running: bool = Field(description="whether a job worker will build what is queued")
    message: str = Field(description="why the build failed, in words (state failed)")
    n_students: int
    n_bytes: int
    created_at: UtcDateTime
    finished_at: UtcDateTime | None
    status_url: str
    file_url: str | None = Field(description="the ZIP, once done")
