"""Pydantic shapes of the data hub: what an import reports back."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from yincai.domain.models import AssessmentKind, Setting, Stage
from yincai.i18n import _

ENTITY_NAMES = {
    "school": _("学校"),
    "school_class": _("班级"),
    "student": _("学生"),
    "teacher": _("教师"),
    "teaching_assignment": _("任课安排"),
    "knowledge_point": _("知识点"),
    "item": _("题目"),
    "assessment": _("考试"),
    "assessment_item": _("小题"),
    "assessment_class": _("参考班级"),
    "sitting": _("参考记录"),
    "score": _("小题得分"),
    "learning_event": _("学习记录"),
    "growth_record": _("成长记录"),
}
"""What an import counts, in the words of every surface (pages and CLI)."""


class EntityCounts(BaseModel):
    """How one kind of record fared in an import."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0


class ImportSummary(BaseModel):
    """What one imported file changed; stored on its ``ImportBatch`` and shown by the CLI."""

    kind: str = Field(description="roster, items, assessment, scores, logs or growth")
    file_name: str
    sha256: str
    n_rows: int = Field(description="data rows (or statements, or attempts) read from the file")
    counts: dict[str, EntityCounts] = Field(default_factory=dict)
    warnings: list[str] = Field(default_factory=list)
    is_unchanged: bool = Field(
        default=False, description="the file holds what is already stored: nothing was written"
    )
    batch_id: int | None = Field(default=None, description="the import's entry in the history")

    def count(self, entity: str) -> EntityCounts:
        """The counts of ``entity`` (created on first use)."""
        return self.counts.setdefault(entity, EntityCounts())


class AssessmentItemSpec(BaseModel):
    """One question of a new assessment: its label on the paper, full score and bank item."""

    label: str = Field(min_length=1, max_length=20)
    full_score: float = Field(gt=0)
    item_code: str | None = None


class _Read(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class SchoolCountRead(_Read):
    """A school in the caller's scope with its numbers of classes, students and teachers."""

    id: int
    code: str
    name: str
    setting: Setting
    stage: Stage
    n_classes: int
    n_students: int
    n_teachers: int


class ClassSummaryRead(_Read):
    id: int
    name: str
    school_name: str
    grade_name: str
    subjects: list[str]
    is_head_teacher: bool
    n_students: int


class ClassSittingRead(_Read):
    """One class's participation in one assessment."""

    assessment_id: int
    name: str
    kind: AssessmentKind
    held_on: date
    subject: str
    class_name: str
    n_students: int
    n_present: int
    n_absent: int


class SchoolHomeRead(_Read):
    """One school's classes and the assessments they sat."""

    id: int
    name: str
    code: str
    classes: list[ClassSummaryRead]
    assessments: list[ClassSittingRead]


class ExamColumnRead(_Read):
    assessment_id: int
    name: str
    held_on: date
    full_score: float


class RosterRowRead(_Read):
    student_id: int
    student_number: str
    name: str
    gender: str
    totals: list[float | None] = Field(description="per exam column; null: absent or no sitting")


class ClassRosterRead(_Read):
    """A class's roster with the totals of its latest exams."""

    id: int
    name: str
    school_name: str
    grade_name: str
    exams: list[ExamColumnRead]
    students: list[RosterRowRead]


class BandResultRead(_Read):
    assessment_id: int
    name: str
    kind: AssessmentKind
    held_on: date
    subject: str
    band: str | None = Field(description="grade band; null: absent (缺考)")
    total: float | None = Field(description="shown to staff only")
    full_score: float


class StudentProfileRead(_Read):
    """One student's assessments as grade bands (guardian only for staff)."""

    id: int
    student_number: str
    name: str
    class_name: str
    school_name: str
    results: list[BandResultRead]
    shows_scores: bool
    guardian_name: str | None = None
    guardian_phone: str | None = None
