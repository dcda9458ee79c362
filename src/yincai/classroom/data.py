"""Reading a class's quizzes, their items, answers and practice, and its roster."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yincai.classroom import live
from yincai.classroom.models import ClassroomAnswer, ClassroomPractice, ClassroomQuiz, Stage
from yincai.domain.models import (
    Assessment,
    AssessmentItem,
    Grade,
    Item,
    ItemKp,
    ItemType,
    KnowledgePoint,
    KpLevel,
    SchoolClass,
    Student,
)
from yincai.errors import NotFound
from yincai.homework.data import SCHOOL_TIME
from yincai.i18n import _


@dataclass(frozen=True)
class QuizSummary:
    assessment_id: int
    name: str
    pushed_at: datetime  # school time
    due_at: datetime  # school time
    n_items: int
    practice_at: datetime | None


@dataclass(frozen=True)
class StudentName:
    student_id: int
    student_number: str
    name: str


def school_time(moment: datetime) -> datetime:
    if moment.tzinfo is None:  # SQLite returns naive UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(SCHOOL_TIME)


def now_or(now: datetime | None) -> datetime:
    return datetime.now(UTC) if now is None else now


def grade_level(session: Session, school_class: SchoolClass) -> int:
    return int(session.scalar(select(Grade.level).where(Grade.id == school_class.grade_id)) or 0)


def summaries(session: Session, school_class_id: int) -> list[QuizSummary]:
    n_items = (
        select(func.count(AssessmentItem.id))
        .where(AssessmentItem.assessment_id == Assessment.id)
        .scalar_subquery()
    )
    rows = session.execute(
        select(
            Assessment.id,
            Assessment.name,
            ClassroomQuiz.pushed_at,
            Assessment.due_at,
            n_items,
            ClassroomQuiz.practice_at,
        )
        .join(ClassroomQuiz, ClassroomQuiz.assessment_id == Assessment.id)
        .where(ClassroomQuiz.school_class_id == school_class_id)
        .order_by(ClassroomQuiz.pushed_at.desc(), Assessment.id.desc())
    ).all()
    return [
        QuizSummary(
            int(a),
            str(name),
            school_time(pushed),
            school_time(due),
            int(n),
            school_time(practice) if practice is not None else None,
        )
        for a, name, pushed, due, n, practice in rows
    ]


def quiz_of(session: Session, assessment_id: int) -> tuple[Assessment, ClassroomQuiz]:
    quiz = session.get(ClassroomQuiz, assessment_id)
    assessment = session.get(Assessment, assessment_id)
    if quiz is None or assessment is None:
        raise NotFound(
            _("课堂测验 {id} 不存在").format(id=assessment_id), code="classroom.quiz_not_found"
        )
    return assessment, quiz


def quiz_items(session: Session, assessment_id: int) -> list[live.QuizItem]:
    rows = session.execute(
        select(AssessmentItem.label, Item)
        .join(Item, Item.id == AssessmentItem.item_id)
        .where(AssessmentItem.assessment_id == assessment_id)
        .order_by(AssessmentItem.position)
    ).all()
    return _as_quiz_items(session, [(str(label), item) for label, item in rows])


def _as_quiz_items(session: Session, rows: list[tuple[str, Item]]) -> list[live.QuizItem]:
    item_ids = [item.id for _label, item in rows]
    tags: dict[int, list[int]] = {}
    for item_id, kp_id in session.execute(
        select(ItemKp.item_id, ItemKp.knowledge_point_id)
        .join(KnowledgePoint, KnowledgePoint.id == ItemKp.knowledge_point_id)
        .where(ItemKp.item_id.in_(item_ids), KnowledgePoint.level == KpLevel.POINT)
        .order_by(ItemKp.item_id, ItemKp.knowledge_point_id)
    ):
        tags.setdefault(int(item_id), []).append(int(kp_id))
    return [
        live.QuizItem(
            item_id=item.id,
            label=label,
            item_type=ItemType(item.item_type),
            stem=item.stem,
            options=list(item.options or []),
            key=item.answer,
            kp_ids=tuple(tags.get(item.id, [])),
        )
        for label, item in rows
    ]


def roster(session: Session, school_class_id: int) -> list[StudentName]:
    return [
        StudentName(int(i), str(number), str(name))
        for i, number, name in session.execute(
            select(Student.id, Student.student_number, Student.name)
            .where(Student.school_class_id == school_class_id, Student.left_on.is_(None))
            .order_by(Student.student_number, Student.id)
        )
    ]


def answers(session: Session, assessment_id: int, stage: Stage) -> list[ClassroomAnswer]:
    return list(
        session.scalars(
            select(ClassroomAnswer)
            .where(ClassroomAnswer.assessment_id == assessment_id, ClassroomAnswer.stage == stage)
            .order_by(ClassroomAnswer.id)
        )
    )


def practice_items(session: Session, assessment_id: int, student_id: int) -> list[live.QuizItem]:
    rows = session.execute(
        select(ClassroomPractice.position, Item)
        .join(Item, Item.id == ClassroomPractice.item_id)
        .where(
            ClassroomPractice.assessment_id == assessment_id,
            ClassroomPractice.student_id == student_id,
        )
        .order_by(ClassroomPractice.position)
    ).all()
    return _as_quiz_items(session, [(str(position), item) for position, item in rows])
