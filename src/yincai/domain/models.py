"""The domain model: district → school → grade → class → student; curriculum, items, scores.

Natural keys (codes, student numbers, labels) are unique: re-importing a file changes nothing.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from yincai.accounts import models as accounts  # noqa: F401  (import_batch → user_account)
from yincai.db import Base, portable_enum
from yincai.field_encryption import EncryptedString


class Setting(enum.StrEnum):
    URBAN = "urban"
    TOWNSHIP = "township"
    RURAL = "rural"


class Stage(enum.StrEnum):
    PRIMARY = "primary"
    JUNIOR = "junior"
    NINE_YEAR = "nine_year"
    SENIOR = "senior"


class Gender(enum.StrEnum):
    MALE = "male"
    FEMALE = "female"


class KpLevel(enum.StrEnum):
    SUBJECT = "subject"
    CHAPTER = "chapter"
    SECTION = "section"
    POINT = "point"


class ItemType(enum.StrEnum):
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    TRUE_FALSE = "true_false"
    FILL_IN = "fill_in"
    SHORT_ANSWER = "short_answer"
    ESSAY = "essay"

    @property
    def is_objective(self) -> bool:
        return self in (ItemType.SINGLE_CHOICE, ItemType.MULTIPLE_CHOICE, ItemType.TRUE_FALSE)


class AssessmentKind(enum.StrEnum):
    EXAM = "exam"
    HOMEWORK = "homework"
    QUIZ = "quiz"


class Dimension(enum.StrEnum):
    """The five dimensions (五育) of the growth archive."""

    MORAL = "moral"
    ACADEMIC = "academic"
    HEALTH = "health"
    ARTS = "arts"
    LABOUR = "labour"


class District(Base):
    __tablename__ = "district"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    schools: Mapped[list[School]] = relationship(back_populates="district")


class School(Base):
    __tablename__ = "school"
    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"), index=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    setting: Mapped[Setting] = mapped_column(portable_enum(Setting))
    stage: Mapped[Stage] = mapped_column(portable_enum(Stage))
    district: Mapped[District] = relationship(back_populates="schools")
    classes: Mapped[list[SchoolClass]] = relationship(back_populates="school")


class Grade(Base):
    """A year group of one school (年级), e.g. level 7 = 初一 / 七年级."""

    __tablename__ = "grade"
    __table_args__ = (UniqueConstraint("school_id", "level"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"))
    level: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(20))


class SchoolClass(Base):
    __tablename__ = "school_class"
    __table_args__ = (UniqueConstraint("school_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    grade_id: Mapped[int] = mapped_column(ForeignKey("grade.id"), index=True)
    name: Mapped[str] = mapped_column(String(50))
    school: Mapped[School] = relationship(back_populates="classes")
    grade: Mapped[Grade] = relationship()
    students: Mapped[list[Student]] = relationship(back_populates="school_class")


class Subject(Base):
    __tablename__ = "subject"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(50))


class Teacher(Base):
    __tablename__ = "teacher"
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    staff_number: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(50))
    gender: Mapped[Gender | None] = mapped_column(portable_enum(Gender), nullable=True)


class TeachingAssignment(Base):
    """Teacher teaches subject to class (任课)."""

    __tablename__ = "teaching_assignment"
    __table_args__ = (UniqueConstraint("school_class_id", "subject_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    teacher_id: Mapped[int] = mapped_column(ForeignKey("teacher.id"), index=True)
    school_class_id: Mapped[int] = mapped_column(ForeignKey("school_class.id"))
    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id"))
    is_head_teacher: Mapped[bool] = mapped_column(Boolean, default=False)


class Student(Base):
    __tablename__ = "student"
    __table_args__ = (UniqueConstraint("district_id", "student_number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"))
    school_class_id: Mapped[int] = mapped_column(ForeignKey("school_class.id"), index=True)
    student_number: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(50))
    gender: Mapped[Gender] = mapped_column(portable_enum(Gender))
    birth_year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    enrolment_year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    guardian_name: Mapped[str | None] = mapped_column(String(50), nullable=True)
    # Encrypted at rest (yincai.field_encryption); reads and writes see the plain number.
    guardian_phone: Mapped[str | None] = mapped_column(
        EncryptedString(128, context="student.guardian_phone"), nullable=True
    )
    left_on: Mapped[date | None] = mapped_column(Date, nullable=True)  # left the school (离校)
    anonymised_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    school_class: Mapped[SchoolClass] = relationship(back_populates="students")


class KnowledgePoint(Base):
    """A node of the curriculum tree: subject → chapter → section → point."""

    __tablename__ = "knowledge_point"
    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id"), index=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[KpLevel] = mapped_column(portable_enum(KpLevel))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("knowledge_point.id"), nullable=True)
    grade_level: Mapped[int | None] = mapped_column(Integer, nullable=True)
    semester: Mapped[int | None] = mapped_column(Integer, nullable=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class KpPrerequisite(Base):
    """``knowledge_point`` needs ``prerequisite`` first."""

    __tablename__ = "kp_prerequisite"
    knowledge_point_id: Mapped[int] = mapped_column(
        ForeignKey("knowledge_point.id"), primary_key=True
    )
    prerequisite_id: Mapped[int] = mapped_column(ForeignKey("knowledge_point.id"), primary_key=True)


class Item(Base):
    __tablename__ = "item"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id"), index=True)
    item_type: Mapped[ItemType] = mapped_column(portable_enum(ItemType))
    stem: Mapped[str] = mapped_column(Text)
    options: Mapped[list[str]] = mapped_column(JSON, default=list)
    answer: Mapped[str] = mapped_column(Text)
    full_score: Mapped[float] = mapped_column(Float)
    grade_level: Mapped[int | None] = mapped_column(Integer, nullable=True)
    difficulty: Mapped[float | None] = mapped_column(Float, nullable=True)
    kps: Mapped[list[ItemKp]] = relationship(
        cascade="all, delete-orphan", order_by="ItemKp.knowledge_point_id"
    )


class ItemKp(Base):
    """An item's knowledge-point tag with its weight."""

    __tablename__ = "item_kp"
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"), primary_key=True)
    knowledge_point_id: Mapped[int] = mapped_column(
        ForeignKey("knowledge_point.id"), primary_key=True, index=True
    )
    weight: Mapped[float] = mapped_column(Float, default=1.0)


class JointExam(Base):
    """A joint exam (联考): the papers of several subjects sat by one grade of the district under
    one name, whose scores add up to a 总分 (each paper is an ``Assessment`` pointing here)."""

    __tablename__ = "joint_exam"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"))
    grade_level: Mapped[int] = mapped_column(Integer)
    held_on: Mapped[date] = mapped_column(Date)


class Assessment(Base):
    __tablename__ = "assessment"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[AssessmentKind] = mapped_column(portable_enum(AssessmentKind))
    held_on: Mapped[date] = mapped_column(Date)  # homework: the day it is set
    # homework: hand in by this time (UTC-aware); an attempt after it is late (迟交)
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id"))
    grade_level: Mapped[int] = mapped_column(Integer)
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"))
    joint_exam_id: Mapped[int | None] = mapped_column(
        ForeignKey("joint_exam.id"), nullable=True, index=True
    )
    items: Mapped[list[AssessmentItem]] = relationship(
        order_by="AssessmentItem.position", cascade="all, delete-orphan"
    )


class AssessmentItem(Base):
    """One question of an assessment, in order, with its label on the paper and its full score."""

    __tablename__ = "assessment_item"
    __table_args__ = (UniqueConstraint("assessment_id", "label"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id"), index=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("item.id"), nullable=True)
    position: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(20))
    full_score: Mapped[float] = mapped_column(Float)


class AssessmentClass(Base):
    """A class that sat the assessment."""

    __tablename__ = "assessment_class"
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id"), primary_key=True)
    school_class_id: Mapped[int] = mapped_column(ForeignKey("school_class.id"), primary_key=True)


class Sitting(Base):
    """A student's participation in an assessment: present (with a total) or absent (缺考)."""

    __tablename__ = "sitting"
    __table_args__ = (UniqueConstraint("assessment_id", "student_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id"))
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id"), index=True)
    is_absent: Mapped[bool] = mapped_column(Boolean, default=False)
    total_score: Mapped[float | None] = mapped_column(Float, nullable=True)


class Score(Base):
    """One student's score on one assessment item."""

    __tablename__ = "score"
    __table_args__ = (UniqueConstraint("assessment_item_id", "student_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_item_id: Mapped[int] = mapped_column(ForeignKey("assessment_item.id"))
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id"), index=True)
    score: Mapped[float] = mapped_column(Float)
    raw_answer: Mapped[str | None] = mapped_column(String(200), nullable=True)
    marked_by: Mapped[str | None] = mapped_column(String(50), nullable=True)
    marked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class LearningEvent(Base):
    """One attempt outside exams (homework, practice, a learning app): what, when, how well."""

    __tablename__ = "learning_event"
    __table_args__ = (
        UniqueConstraint("student_id", "source", "activity", "occurred_at"),
        Index("ix_learning_event_student_time", "student_id", "occurred_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id"))
    item_id: Mapped[int | None] = mapped_column(ForeignKey("item.id"), nullable=True)
    knowledge_point_id: Mapped[int | None] = mapped_column(
        ForeignKey("knowledge_point.id"), nullable=True
    )
    activity: Mapped[str] = mapped_column(String(120))  # the source's item or skill id
    is_correct: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    score: Mapped[float | None] = mapped_column(Float, nullable=True)  # scaled to [0, 1]
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    source: Mapped[str] = mapped_column(String(40))
    # the homework assignment (an assessment of kind homework) this attempt answers, if known
    assessment_id: Mapped[int | None] = mapped_column(
        ForeignKey("assessment.id"), nullable=True, index=True
    )


class Resource(Base):
    """Teaching material: lesson notes, worked examples, worksheet, courseware (yincai.library).

    ``body`` is the text read from the file, ``sha256`` the file's digest (a re-import of the
    same file changes nothing), ``media_type`` the format it came in (markdown, html, pdf, docx).
    """

    __tablename__ = "resource"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30))
    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id"))
    body: Mapped[str | None] = mapped_column(Text, nullable=True)
    file_path: Mapped[str | None] = mapped_column(String(300), nullable=True)
    grade_level: Mapped[int | None] = mapped_column(Integer, nullable=True)
    licence: Mapped[str] = mapped_column(String(200), default="")
    media_type: Mapped[str] = mapped_column(String(20), default="")
    sha256: Mapped[str] = mapped_column(String(64), default="")
    imported_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class ResourceKp(Base):
    __tablename__ = "resource_kp"
    resource_id: Mapped[int] = mapped_column(ForeignKey("resource.id"), primary_key=True)
    knowledge_point_id: Mapped[int] = mapped_column(
        ForeignKey("knowledge_point.id"), primary_key=True
    )


class GrowthRecord(Base):
    """Evidence for one of the five dimensions of a student's growth archive."""

    __tablename__ = "growth_record"
    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id"), index=True)
    dimension: Mapped[Dimension] = mapped_column(portable_enum(Dimension))
    evidence: Mapped[str] = mapped_column(Text)
    recorded_on: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(50))


class ImportBatch(Base):
    """One confirmed import (or the revert of one): who, when, which file, what it changed.

    The history of the data hub. Score imports keep ``undo``, the before and after values of
    every sitting and score they changed, so the last import of an assessment can be reverted.
    """

    __tablename__ = "import_batch"
    __table_args__ = (Index("ix_import_batch_kind_sha256", "kind", "sha256"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    file_name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    n_rows: Mapped[int] = mapped_column(Integer)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    assessment_id: Mapped[int | None] = mapped_column(
        ForeignKey("assessment.id"), nullable=True, index=True
    )
    user_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id"), nullable=True
    )
    origin: Mapped[str] = mapped_column(String(10), default="cli")  # web or cli
    reverts_batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_batch.id"), nullable=True
    )
    reverted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    undo: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True, deferred=True)
