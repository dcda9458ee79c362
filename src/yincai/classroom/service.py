"""The classroom loop's one door: push a preview quiz, answer it, watch the answers arrive, give
each student after-class practice on their errors.

Who may do what: a class's quizzes are pushed, watched and followed by practice by the teachers
who teach the quiz's subject in the class (and admins of its school and district); a student
answers their own quiz and practice; the student's staff and parent read them. Every read of
students' answers writes an audit row with the students it showed.

The evidence: each answer is a ``learning_event`` (``source`` ``classroom`` for the quiz,
linked to its assignment, or ``classroom_practice``), read by the diagnosis's one loader of
evidence. When the teacher gives the after-class practice, the quiz's answers become one import
batch, so the data version moves on and the pages queue the mastery refresh as after an import.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yincai.accounts.models import UserAccount
from yincai.classroom import access, data, live
from yincai.classroom.access import Actor, require_class_staff
from yincai.classroom.answers import (
    PRACTICE_SOURCE,
    QUIZ_SOURCE,
    StudentItem,
    StudentQuiz,
    require_student_quiz,
    student_quiz,
    student_quizzes,
    submit_answers,
)
from yincai.classroom.data import QuizSummary, StudentName
from yincai.classroom.models import (
    ClassroomAnswer,
    ClassroomPractice,
    ClassroomQuiz,
    Stage,
    Verdict,
)
from yincai.classroom.quizzes import KpOption, kp_options, push_quiz
from yincai.db import lock_for_write
from yincai.domain.models import Assessment, ImportBatch, KnowledgePoint, Subject
from yincai.errors import Conflict, NotFound
from yincai.governance import service as governance_service
from yincai.homework.data import SCHOOL_TIME
from yincai.i18n import _
from yincai.practice import service as practice_service

__all__ = [
    "PRACTICE_SOURCE",
    "QUIZ_SOURCE",
    "KpOption",
    "LiveView",
    "PracticeRow",
    "QuizSummary",
    "StudentItem",
    "StudentName",
    "StudentQuiz",
    "assign_practice",
    "kp_options",
    "last_answer_id",
    "live_view",
    "push_quiz",
    "require_class_staff",
    "require_live",
    "require_student_quiz",
    "student_quiz",
    "student_quizzes",
    "submit_answers",
]

PRACTICE_ITEMS = 5  # after-class items per student
IMPORT_KIND = "classroom"  # the import batch that makes a quiz's answers evidence


@dataclass(frozen=True)
class PracticeRow:
    student: StudentName
    n_items: int
    n_answered: int
    n_right: int
    kp_names: list[str]
    note: str  # why there is no practice: "all_right", "none" (no consent or no items), ""


@dataclass(frozen=True)
class LiveView:
    school_class_id: int
    class_name: str
    quiz: QuizSummary | None
    quizzes: list[QuizSummary]
    kp_options: list[KpOption]
    figures: live.LiveFigures | None
    students: dict[int, StudentName]
    kp_names: dict[int, str]
    n_students: int
    last_answer_id: int
    practice: list[PracticeRow]
    default_due: datetime  # school time, for the push form


def require_live(
    session: Session, *, actor: Actor, school_class_id: int, assessment_id: int
) -> None:
    """Staff of the class, and the quiz is the class's (NotFound otherwise)."""
    access.class_staff(session, actor, school_class_id)
    quiz = session.get(ClassroomQuiz, assessment_id)
    if quiz is None or quiz.school_class_id != school_class_id:
        raise NotFound(
            _("课堂测验 {id} 不存在").format(id=assessment_id), code="classroom.quiz_not_found"
        )


def last_answer_id(session: Session, *, assessment_id: int) -> int:
    """The newest answer's id (0 before any): the live fragment is redrawn only when it moves
    (reads no student's record, so it needs no audit)."""
    return int(
        session.scalar(
            select(func.max(ClassroomAnswer.id)).where(
                ClassroomAnswer.assessment_id == assessment_id
            )
        )
        or 0
    )


def live_view(
    session: Session,
    *,
    actor: Actor,
    school_class_id: int,
    assessment_id: int | None = None,
    now: datetime | None = None,
) -> LiveView:
    """The live classroom page: the class's quiz (the newest unless one is named), its answers in
    so far per item and point, who has not answered, what needs explaining, and the after-class
    practice once given; staff of the class, audited with the students shown."""
    school_class = access.class_staff(session, actor, school_class_id)
    quizzes = data.summaries(session, school_class_id)
    moment = data.now_or(now)
    tomorrow = data.school_time(moment).date() + timedelta(days=1)
    default_due = datetime(tomorrow.year, tomorrow.month, tomorrow.day, 8, 0, tzinfo=SCHOOL_TIME)
    chosen = quizzes[0] if quizzes and assessment_id is None else None
    if assessment_id is not None:
        chosen = next((q for q in quizzes if q.assessment_id == assessment_id), None)
        if chosen is None:
            raise NotFound(
                _("课堂测验 {id} 不存在").format(id=assessment_id),
                code="classroom.quiz_not_found",
            )
    roster = data.roster(session, school_class_id)
    options = kp_options(session, actor, school_class)
    if chosen is None:
        governance_service.audit(
            session,
            actor=actor,
            action="classroom_live_view",
            object_type="school_class",
            object_id=school_class_id,
        )
        return LiveView(
            school_class_id, school_class.name, None, quizzes, options, None, {}, {},
            len(roster), 0, [], default_due,
        )  # fmt: skip
    items = data.quiz_items(session, chosen.assessment_id)
    answers = data.answers(session, chosen.assessment_id, Stage.QUIZ)
    figures = live.live_figures(
        items,
        [live.Answer(a.student_id, a.item_id, a.answer, a.verdict) for a in answers],
        [s.student_id for s in roster],
    )
    kp_ids = sorted({kp for item in items for kp in item.kp_ids})
    kp_names = {
        int(i): str(n)
        for i, n in session.execute(
            select(KnowledgePoint.id, KnowledgePoint.name).where(KnowledgePoint.id.in_(kp_ids))
        )
    }
    practice = _practice_rows(session, chosen, roster) if chosen.practice_at else []
    governance_service.audit(
        session,
        actor=actor,
        action="classroom_live_view",
        object_type="assessment",
        object_id=chosen.assessment_id,
        student_ids=[s.student_id for s in roster],
    )
    return LiveView(
        school_class_id=school_class_id,
        class_name=school_class.name,
        quiz=chosen,
        quizzes=quizzes,
        kp_options=options,
        figures=figures,
        students={s.student_id: s for s in roster},
        kp_names=kp_names,
        n_students=len(roster),
        last_answer_id=last_answer_id(session, assessment_id=chosen.assessment_id),
        practice=practice,
        default_due=default_due,
    )


def _practice_rows(
    session: Session, quiz: QuizSummary, roster: list[StudentName]
) -> list[PracticeRow]:
    assigned: dict[int, list[int]] = {}
    kps_of: dict[int, set[int]] = {}
    for student_id, item_id, kp_id in session.execute(
        select(
            ClassroomPractice.student_id,
            ClassroomPractice.item_id,
            ClassroomPractice.knowledge_point_id,
        ).where(ClassroomPractice.assessment_id == quiz.assessment_id)
    ):
        assigned.setdefault(int(student_id), []).append(int(item_id))
        if kp_id is not None:
            kps_of.setdefault(int(student_id), set()).add(int(kp_id))
    names = {
        int(i): str(n)
        for i, n in session.execute(
            select(KnowledgePoint.id, KnowledgePoint.name).where(
                KnowledgePoint.id.in_(sorted({k for ks in kps_of.values() for k in ks}))
            )
        )
    }
    done = data.answers(session, quiz.assessment_id, Stage.PRACTICE)
    quiz_answers = data.answers(session, quiz.assessment_id, Stage.QUIZ)
    all_right = {a.student_id for a in quiz_answers} - {
        a.student_id for a in quiz_answers if a.verdict is not Verdict.RIGHT
    }
    rows = []
    for student in roster:
        mine = [a for a in done if a.student_id == student.student_id]
        n = len(assigned.get(student.student_id, []))
        note = ""
        if not n:
            note = (
                "all_right"
                if student.student_id in all_right
                else "none"  # no consent to diagnosis, or no bank item left on the points
            )
        rows.append(
            PracticeRow(
                student=student,
                n_items=n,
                n_answered=len(mine),
                n_right=sum(a.verdict is Verdict.RIGHT for a in mine),
                kp_names=sorted(names[k] for k in kps_of.get(student.student_id, set())),
                note=note,
            )
        )
    return rows


def assign_practice(
    session: Session,
    *,
    actor: Actor,
    school_class_id: int,
    assessment_id: int,
    n_items: int = PRACTICE_ITEMS,
    now: datetime | None = None,
) -> int:
    """After class: each student gets a practice set from the practice engine aimed at the points
    of the items they got wrong (every point of the quiz if they did not answer; nothing if all
    right), without the quiz's items; the quiz's answers become an import batch (evidence for
    the mastery refresh). Returns how many students got items; Conflict if given already."""
    school_class = access.class_staff(session, actor, school_class_id)
    assessment, quiz = data.quiz_of(session, assessment_id)
    if quiz.school_class_id != school_class.id:
        raise NotFound(
            _("课堂测验 {id} 不存在").format(id=assessment_id), code="classroom.quiz_not_found"
        )
    access.require_subject_teacher(session, actor, school_class_id, assessment.subject_id)
    lock_for_write(session, Assessment, assessment_id)  # a second click waits, then is refused
    session.refresh(quiz)
    if quiz.practice_at is not None:
        raise Conflict(_("本次测验的课后练习已经布置"), code="classroom.practice_given")
    moment = data.now_or(now)
    items = data.quiz_items(session, assessment_id)
    answers = data.answers(session, assessment_id, Stage.QUIZ)
    all_kps = {kp for item in items for kp in item.kp_ids}
    kps_of_item = {item.item_id: item.kp_ids for item in items}
    answered = {a.student_id for a in answers}
    focus: dict[int, set[int]] = {}
    for student in data.roster(session, school_class_id):
        if student.student_id not in answered:
            focus[student.student_id] = set(all_kps)
    for answer in answers:
        if answer.verdict is Verdict.WRONG:
            focus.setdefault(answer.student_id, set()).update(kps_of_item.get(answer.item_id, ()))
    focus = {s: kps for s, kps in focus.items() if kps}
    subject_code = session.scalar(select(Subject.code).where(Subject.id == assessment.subject_id))
    assert subject_code is not None
    sets = (
        practice_service.focused_practice_sets(
            session,
            actor=actor,
            focus=focus,
            exclude_item_ids=[item.item_id for item in items],
            n_items=n_items,
            subject_code=subject_code,
        )
        if focus
        else []
    )
    kp_by_code = dict(
        session.execute(
            select(KnowledgePoint.code, KnowledgePoint.id).where(
                KnowledgePoint.code.in_({i.target_kp_code for s in sets for i in s.items})
            )
        ).all()
    )
    for practice_set in sets:
        for item in practice_set.items:
            session.add(
                ClassroomPractice(
                    assessment_id=assessment_id,
                    student_id=practice_set.student_id,
                    item_id=item.item_id,
                    position=item.position,
                    knowledge_point_id=kp_by_code.get(item.target_kp_code),
                )
            )
    quiz.practice_at = moment
    _record_evidence(session, actor, assessment, len(answers), moment)
    governance_service.audit(
        session,
        actor=actor,
        action="classroom_practice_assign",
        object_type="assessment",
        object_id=assessment_id,
        student_ids=[s.student_id for s in sets],
    )
    session.flush()
    return sum(1 for s in sets if s.items)


def _record_evidence(
    session: Session, actor: Actor, assessment: Assessment, n_answers: int, moment: datetime
) -> None:
    """One import batch for the quiz's answers: it moves the data version on, so the mastery
    estimates are stale and the refresh is queued (``jobs.Jobs.after_import``)."""
    digest = hashlib.sha256(f"{assessment.code}|{n_answers}|{moment.isoformat()}".encode())
    session.add(
        ImportBatch(
            kind=IMPORT_KIND,
            file_name=assessment.code,
            sha256=digest.hexdigest(),
            n_rows=n_answers,
            summary={"answers": n_answers},
            imported_at=moment,
            assessment_id=assessment.id,
            user_account_id=actor.id if isinstance(actor, UserAccount) else None,
            origin="web",
        )
    )
