"""A student's side: their class's quizzes, one quiz with its practice, and their answers
(marked, and recorded as evidence)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from yincai.classroom import access, data, live
from yincai.classroom.access import Actor
from yincai.classroom.data import QuizSummary, StudentName
from yincai.classroom.models import ClassroomAnswer, Stage, Verdict
from yincai.classroom.verdicts import MAX_ANSWER_LENGTH, is_valid_choice, verdict
from yincai.db import lock_for_write
from yincai.domain.models import Assessment, Item, ItemType, KnowledgePoint, LearningEvent, Student
from yincai.errors import Conflict, Forbidden, Invalid, NotFound
from yincai.governance import service as governance_service
from yincai.i18n import _

QUIZ_SOURCE = "classroom"  # learning_event.source of a quiz answer
PRACTICE_SOURCE = "classroom_practice"


@dataclass(frozen=True)
class StudentItem:
    item_id: int
    label: str
    item_type: ItemType
    stem: str
    options: list[str]
    answer: str | None
    verdict: Verdict | None
    key: str | None  # shown once answered
    kp_names: list[str]


@dataclass(frozen=True)
class StudentQuiz:
    student: StudentName
    quiz: QuizSummary
    items: list[StudentItem]
    practice: list[StudentItem]
    can_answer: bool  # the student's own account


def student_quizzes(session: Session, *, actor: Actor, student_id: int) -> list[QuizSummary]:
    """The classroom quizzes of the student's class, newest first (the student, their parent,
    their staff); audited."""
    governance_service.require_scope(session, actor=actor, student_id=student_id)
    student = session.get(Student, student_id)
    assert student is not None
    governance_service.audit(
        session,
        actor=actor,
        action="classroom_student_view",
        object_type="student",
        object_id=student_id,
    )
    return data.summaries(session, student.school_class_id)


def _student_quiz_of(
    session: Session, actor: Actor, student_id: int, assessment_id: int
) -> tuple[Student, Assessment, QuizSummary]:
    governance_service.require_scope(session, actor=actor, student_id=student_id)
    student = session.get(Student, student_id)
    assert student is not None
    summary = next(
        (
            q
            for q in data.summaries(session, student.school_class_id)
            if q.assessment_id == assessment_id
        ),
        None,
    )
    assessment = session.get(Assessment, assessment_id)
    if summary is None or assessment is None:
        raise NotFound(
            _("课堂测验 {id} 不存在").format(id=assessment_id), code="classroom.quiz_not_found"
        )
    return student, assessment, summary


def require_student_quiz(
    session: Session, *, actor: Actor, student_id: int, assessment_id: int
) -> None:
    """The student is in the actor's scope and the quiz is their class's (NotFound otherwise)."""
    _student_quiz_of(session, actor, student_id, assessment_id)


def student_quiz(
    session: Session, *, actor: Actor, student_id: int, assessment_id: int
) -> StudentQuiz:
    """One student's quiz and after-class practice, with the answers given and, once answered,
    the keys (the student, their parent, their staff); audited."""
    student, _assessment, summary = _student_quiz_of(session, actor, student_id, assessment_id)
    given = {
        (a.stage, a.item_id): a
        for a in session.scalars(
            select(ClassroomAnswer).where(
                ClassroomAnswer.assessment_id == assessment_id,
                ClassroomAnswer.student_id == student_id,
            )
        )
    }
    quiz_items = data.quiz_items(session, assessment_id)
    practice_items = data.practice_items(session, assessment_id, student_id)
    kp_ids = sorted({kp for item in [*quiz_items, *practice_items] for kp in item.kp_ids})
    names = {
        int(i): str(n)
        for i, n in session.execute(
            select(KnowledgePoint.id, KnowledgePoint.name).where(KnowledgePoint.id.in_(kp_ids))
        )
    }

    def shown(stage: Stage, items: list[live.QuizItem]) -> list[StudentItem]:
        out = []
        for item in items:
            answer = given.get((stage, item.item_id))
            out.append(
                StudentItem(
                    item_id=item.item_id,
                    label=item.label,
                    item_type=item.item_type,
                    stem=item.stem,
                    options=item.options,
                    answer=answer.answer if answer else None,
                    verdict=answer.verdict if answer else None,
                    key=item.key if answer else None,
                    kp_names=[names[k] for k in item.kp_ids if k in names],
                )
            )
        return out

    governance_service.audit(
        session,
        actor=actor,
        action="classroom_student_view",
        object_type="student",
        object_id=student_id,
    )
    return StudentQuiz(
        student=StudentName(student.id, student.student_number, student.name),
        quiz=summary,
        items=shown(Stage.QUIZ, quiz_items),
        practice=shown(Stage.PRACTICE, practice_items),
        can_answer=access.is_self(actor, student_id),
    )


def submit_answers(
    session: Session,
    *,
    actor: Actor,
    student_id: int,
    assessment_id: int,
    stage: Stage,
    answers: dict[int, str],
    now: datetime | None = None,
) -> int:
    """Mark and record a student's answers to their quiz or practice (their own account only):
    each answer becomes a learning event (the evidence) and a classroom answer (the live page's
    distribution). Blank answers are skipped; an item answered already is refused (Conflict).
    Returns how many answers were recorded."""
    _student, assessment, _summary = _student_quiz_of(session, actor, student_id, assessment_id)
    if not access.is_self(actor, student_id):
        raise Forbidden(_("只有学生本人可以作答"), code="classroom.not_self")
    items = {
        item.item_id: item
        for item in (
            data.quiz_items(session, assessment_id)
            if stage is Stage.QUIZ
            else data.practice_items(session, assessment_id, student_id)
        )
    }
    given = {item_id: text.strip() for item_id, text in answers.items() if text.strip()}
    if not given:
        raise Invalid(_("请至少回答一道题"), code="classroom.no_answers")
    problems: list[object] = []  # every bad answer at once
    for item_id, text in given.items():
        item = items.get(item_id)
        if item is None:
            raise Invalid(_("所答的题目不在本次测验或练习中"), code="classroom.item_unknown")
        if len(text) > MAX_ANSWER_LENGTH:
            problems.append(_("第 {label} 题的答案过长").format(label=item.label))
        elif item.item_type is not ItemType.FILL_IN and not is_valid_choice(
            item.item_type, text, item.options
        ):
            problems.append(_("第 {label} 题的选项无效").format(label=item.label))
    if problems:
        raise Invalid(_("答案有误，请检查后再提交"), code="classroom.bad_answers", details=problems)
    lock_for_write(session, Student, student_id)  # one submission of a student at a time
    done = set(
        session.scalars(
            select(ClassroomAnswer.item_id).where(
                ClassroomAnswer.assessment_id == assessment_id,
                ClassroomAnswer.student_id == student_id,
                ClassroomAnswer.stage == stage,
                ClassroomAnswer.item_id.in_(list(given)),
            )
        )
    )
    if done:
        raise Conflict(_("这些题已经作答，不能再次提交"), code="classroom.answered")
    moment = data.now_or(now)
    codes = dict(session.execute(select(Item.id, Item.code).where(Item.id.in_(list(given)))).all())
    for item_id, text in given.items():
        item = items[item_id]
        found = verdict(item.item_type, text, item.key)
        decided = found is not Verdict.UNCERTAIN
        event = LearningEvent(
            student_id=student_id,
            item_id=item_id,
            activity=f"{assessment.code}:{stage.value}:{codes[item_id]}"[:120],
            is_correct=(found is Verdict.RIGHT) if decided else None,
            score=(1.0 if found is Verdict.RIGHT else 0.0) if decided else None,
            occurred_at=moment,
            source=QUIZ_SOURCE if stage is Stage.QUIZ else PRACTICE_SOURCE,
            assessment_id=assessment_id if stage is Stage.QUIZ else None,
        )
        session.add(event)
        session.flush()
        session.add(
            ClassroomAnswer(
                assessment_id=assessment_id,
                student_id=student_id,
                stage=stage,
                item_id=item_id,
                answer=text,
                verdict=found,
                learning_event_id=event.id,
                answered_at=moment,
            )
        )
    governance_service.audit(
        session,
        actor=actor,
        action="classroom_answer",
        object_type="student",
        object_id=student_id,
    )
    session.flush()
    return len(given)
