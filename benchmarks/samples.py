"""Screenshots of the report pages for docs/samples, taken in headless Chromium on a built demo.

    .venv/bin/python benchmarks/samples.py --data-dir data --out docs/samples

Starts the platform on a free port, logs in as the demo teacher, the district admin and a
student, and saves full-page PNGs of the 成绩单, 临界生, 试卷讲评, class heatmap, growth curves,
growth archive, homework, 偏科 (joint exam) pages, the district's class comparison chart (50+
classes), the library with a question answered and a student's recommendations (as the
student sees them), a lesson plan of the teacher's class (备课: the page, its DOCX and PDF);
then sets up online marking of one written item of the teacher's exam in 2+1 mode (two more
maths teachers of the school get accounts; simulated markers give the first two marks and some
third ones) and a batch of demo scans, and shoots the marking page, the item leader's page
(arbitration, marker quality) and the scan-review queue; then pushes a preview quiz to the
teacher's class, lets most of its students answer it (each right with the chance their stored
mastery of the item's point gives) and shoots the live classroom page; last, the assistant
(AI 助教): the demo student asks about an item of the week's homework (student mode: hints,
not the answer) and a library question, the teacher a library question and an equation (worked
and checked by sympy), and both pages are shot; and the district's fairness report, computed
first in the foreground as the job worker would. ``--only FILE …`` shoots
only the named files (and sets up only what they need).
"""

from __future__ import annotations

import argparse
import random
import shutil
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from urllib.parse import quote

from playwright.sync_api import Page, sync_playwright
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yincai.accounts.actors import CLI
from yincai.accounts.models import Role, UserAccount
from yincai.accounts.passwords import hash_password
from yincai.assistant import service as assistant_service
from yincai.assistant.models import AssistantConversation
from yincai.assistant.student_mode import open_items
from yincai.bench.cockpit import _server
from yincai.classroom import data as classroom_data
from yincai.classroom import service as classroom_service
from yincai.classroom.live import QuizItem
from yincai.classroom.models import ClassroomQuiz, Stage
from yincai.classroom.verdicts import LETTERS, letters
from yincai.config import Settings
from yincai.db import make_engine, session_scope
from yincai.demo.build import DEMO_PASSWORD
from yincai.diagnosis import service as diagnosis_service
from yincai.domain.models import (
    Assessment,
    AssessmentClass,
    AssessmentItem,
    AssessmentKind,
    ItemKp,
    ItemType,
    JointExam,
    KnowledgePoint,
    KpLevel,
    SchoolClass,
    Score,
    Student,
    Subject,
    Teacher,
    TeachingAssignment,
)
from yincai.errors import Invalid
from yincai.fairness import service as fairness_service
from yincai.fairness.build import build_report
from yincai.homework.data import SCHOOL_TIME
from yincai.lessons import service as lesson_service
from yincai.marking import scans, service
from yincai.marking.demo import build_demo_marking, simulated_score, subjective_items
from yincai.marking.demo_scans import demo_scans
from yincai.marking.models import MarkingMode, MarkingSession, ScanBatch
from yincai.marking.sheets import sheet_layout

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
LIBRARY_QUESTION = "两个负数比大小，绝对值大的那个是不是更大"  # tests/library/questions.jsonl
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]


def _targets(data_dir: Path) -> tuple[dict[Role, str], list[tuple[Role, str, str, str | None]]]:
    """Logins and (role, file, path, element to shoot or None for the whole page)."""
    engine = make_engine(Settings(data_dir=data_dir))
    with Session(engine) as session:
        logins = {
            role: session.scalars(
                select(UserAccount.username)
                .where(UserAccount.role == role)
                .order_by(UserAccount.id)
            ).first()
            or ""
            for role in Role
        }
        teacher_id = session.scalar(
            select(UserAccount.teacher_id).where(UserAccount.username == logins[Role.TEACHER])
        )
        class_id = session.scalar(
            select(TeachingAssignment.school_class_id)
            .where(TeachingAssignment.teacher_id == teacher_id)
            .order_by(TeachingAssignment.school_class_id)
        )
        student_id = session.scalar(
            select(UserAccount.student_id).where(UserAccount.username == logins[Role.STUDENT])
        )
        own_student_id = student_id  # the student account's own pages
        maths = session.scalar(select(Subject.id).where(Subject.code == "MATH"))
        exam = session.scalar(
            select(Assessment.id)
            .join(AssessmentClass, AssessmentClass.assessment_id == Assessment.id)
            .where(
                AssessmentClass.school_class_id == class_id,
                Assessment.subject_id == maths,
                Assessment.kind == AssessmentKind.EXAM,
            )
            .order_by(Assessment.held_on.desc())
        )
        widest = session.execute(  # the maths paper sat by the most classes
            select(Assessment.id, func.count(AssessmentClass.school_class_id).label("n"))
            .join(AssessmentClass, AssessmentClass.assessment_id == Assessment.id)
            .where(Assessment.subject_id == maths, Assessment.kind == AssessmentKind.EXAM)
            .group_by(Assessment.id)
            .order_by(func.count(AssessmentClass.school_class_id).desc(), Assessment.id)
        ).first()
        joint = session.scalar(
            select(Assessment.joint_exam_id).where(Assessment.id == exam)
        ) or session.scalar(select(func.min(JointExam.id)))
    engine.dispose()
    assert widest is not None
    report = f"/assessments/{exam}/report"
    scope = f"school_class_id={class_id}"
    klass = f"/classes/{class_id}"
    return logins, [
        (Role.TEACHER, "transcript-page.png", f"{report}/transcript?{scope}", None),
        (Role.TEACHER, "borderline-page.png", f"{report}/lines?{scope}", None),
        (Role.TEACHER, "paper-review-page.png", f"{report}/review?{scope}", None),
        (Role.TEACHER, "class-heatmap-page.png", f"{klass}/mastery?subject=MATH", None),
        (Role.TEACHER, "growth-curve-page.png", f"/students/{student_id}/growth", None),
        (Role.TEACHER, "growth-archive-page.png", f"/students/{student_id}/growth-archive", None),
        (Role.TEACHER, "class-homework-page.png", f"{klass}/homework?subject=MATH", None),
        (Role.TEACHER, "joint-exam-page.png", f"/joint-exams/{joint}/report?scope=class:{class_id}",
         None),
        (Role.DISTRICT_ADMIN, "district-class-comparison.png", f"/assessments/{widest[0]}/report",
         ".chart >> nth=1"),  # the distribution, then the comparison of the classes
        (Role.DISTRICT_ADMIN, "cockpit-page.png", "/cockpit", None),
        (Role.DISTRICT_ADMIN, "fairness-page.png", "/governance/fairness", None),
        (Role.STUDENT, "library.png", f"/library?q={quote(LIBRARY_QUESTION)}", None),
        (Role.STUDENT, "recommendations.png", f"/students/{own_student_id}/resources?subject=MATH",
         None),
    ]  # fmt: skip


def _fairness_report(data_dir: Path) -> None:
    """The district's fairness report of the current data, computed here unless stored."""
    settings = Settings(data_dir=data_dir)
    engine = make_engine(settings)
    with session_scope(engine) as session:
        report_id = fairness_service.request_report(
            session, actor=CLI, min_group=settings.export_min_group
        ).report.id
    build_report(
        engine, report_id, min_group=settings.export_min_group, error_log=settings.error_log_path
    )
    engine.dispose()


def _marking_targets(
    data_dir: Path, teacher_username: str
) -> list[tuple[Role, str, str, str | None]]:
    """Marking and scans on the teacher's newest maths exam (set up once per data folder)."""
    settings = Settings(data_dir=data_dir)
    engine = make_engine(settings)
    with session_scope(engine) as session:
        teacher = session.scalars(
            select(UserAccount).where(UserAccount.username == teacher_username)
        ).one()
        exam = session.scalars(
            select(Assessment)
            .join(AssessmentClass, AssessmentClass.assessment_id == Assessment.id)
            .join(
                TeachingAssignment,
                TeachingAssignment.school_class_id == AssessmentClass.school_class_id,
            )
            .where(
                TeachingAssignment.teacher_id == teacher.teacher_id,
                TeachingAssignment.subject_id == Assessment.subject_id,
                Assessment.kind == AssessmentKind.EXAM,
            )
            .order_by(Assessment.held_on.desc())
        ).first()
        assert exam is not None
        marking = session.scalar(
            select(MarkingSession.id).where(MarkingSession.assessment_id == exam.id)
        )
        if marking is None:
            _simulate_marking(session, teacher, exam)
        batch_id = session.scalar(
            select(ScanBatch.id)
            .where(ScanBatch.assessment_id == exam.id)
            .order_by(ScanBatch.id.desc())
        )
        if batch_id is None:
            pages = demo_scans(
                session,
                sheet_layout(session, actor=CLI, assessment_code=exam.code),
                assessment_id=exam.id,
                n_students=40,
            )
            batch_id = scans.start_batch(
                session,
                actor=CLI,
                assessment_id=exam.id,
                files=[(page.file_name, page.png) for page in pages],
                data_dir=data_dir,
            ).id
        task_id = service.progress(session, actor=CLI, assessment_id=exam.id)[0].task_id
    scans.read_batch(engine, batch_id, data_dir=data_dir, error_log=settings.error_log_path)
    engine.dispose()
    return [
        (Role.TEACHER, "marking-page.png", f"/marking/tasks/{task_id}/mark", None),
        (Role.TEACHER, "marking-leader-page.png", f"/marking/tasks/{task_id}/lead", None),
        (Role.TEACHER, "scan-review-page.png", f"/scans/{batch_id}", None),
    ]


CLASSROOM_ANSWER_SHARE = 0.85  # of the class answers before the screenshot; the rest are listed


def _classroom_targets(
    data_dir: Path, teacher_username: str
) -> list[tuple[Role, str, str, str | None]]:
    """A preview quiz pushed to the teacher's first class and answered by most of its students
    (set up once per data folder), for the live classroom page."""
    engine = make_engine(Settings(data_dir=data_dir))
    with session_scope(engine) as session:
        teacher = session.scalars(
            select(UserAccount).where(UserAccount.username == teacher_username)
        ).one()
        class_id = session.scalars(
            select(TeachingAssignment.school_class_id)
            .where(TeachingAssignment.teacher_id == teacher.teacher_id)
            .order_by(TeachingAssignment.school_class_id)
        ).first()
        assert class_id is not None
        if session.scalar(select(ClassroomQuiz).where(ClassroomQuiz.school_class_id == class_id)):
            engine.dispose()
            return [(Role.TEACHER, "live-classroom.png", f"/classes/{class_id}/live", None)]
        options = classroom_service.kp_options(
            session, teacher, session.get_one(SchoolClass, class_id)
        )
        maths = [o.code for o in options if o.subject_name == "数学"]
        quiz_id = _push_demo_quiz(session, teacher, class_id, maths)
        _simulate_answers(session, teacher, class_id, quiz_id)
    engine.dispose()
    return [(Role.TEACHER, "live-classroom.png", f"/classes/{class_id}/live", None)]


def _push_demo_quiz(session: Session, teacher: UserAccount, class_id: int, codes: list[str]) -> int:
    """Five items on the two newest maths points that have enough auto-marked items."""
    for first, second in zip(codes[::-1], codes[-2::-1], strict=False):
        try:
            return classroom_service.push_quiz(
                session,
                actor=teacher,
                school_class_id=class_id,
                kp_codes=[first, second],
                n_items=5,
                due_at=datetime.now(UTC) + timedelta(minutes=40),
            )
        except Invalid:
            continue
    raise RuntimeError("no maths points with auto-marked items for the demo quiz")


def _simulate_answers(session: Session, teacher: UserAccount, class_id: int, quiz_id: int) -> None:
    """Most students answer: each item right with the chance of their stored mastery level of its
    point; wrong choices pick another option, wrong fill-ins a common slip (0 or 1)."""
    students = list(
        session.scalars(
            select(Student.id)
            .where(Student.school_class_id == class_id)
            .order_by(Student.student_number)
        )
    )
    rng = random.Random(0)
    answering = [s for s in students if rng.random() < CLASSROOM_ANSWER_SHARE]
    table = diagnosis_service.students_mastery(
        session, actor=CLI, student_ids=answering, subject_code="MATH"
    )
    kp_column = {kp: k for k, kp in enumerate(table.kp_ids)}
    items = classroom_data.quiz_items(session, quiz_id)
    password_hash = hash_password(DEMO_PASSWORD, username="classroom-demo")
    for row, student_id in enumerate(answering):
        account = UserAccount(
            username=f"s{student_id}-classroom",
            password_hash=password_hash,
            role=Role.STUDENT,
            display_name="学生",
            district_id=teacher.district_id,
            school_id=teacher.school_id,
            student_id=student_id,
            is_active=True,
            created_at=datetime.now(UTC),
        )
        session.add(account)
        session.flush()
        answers = {}
        for item in items:
            column = kp_column.get(item.kp_ids[0]) if item.kp_ids else None
            level = float(table.mastery[row, column]) if column is not None else 0.5
            answers[item.item_id] = item.key if rng.random() < level else _slip(item, rng)
        classroom_service.submit_answers(
            session,
            actor=account,
            student_id=student_id,
            assessment_id=quiz_id,
            stage=Stage.QUIZ,
            answers=answers,
        )


def _slip(item: QuizItem, rng: random.Random) -> str:
    if item.item_type is ItemType.TRUE_FALSE:
        return next(o for o in item.options if o != item.key)
    if item.item_type is ItemType.FILL_IN:
        return "0" if item.key.strip() != "0" else "1"
    key = letters(item.key)
    return rng.choice([LETTERS[k] for k in range(len(item.options)) if LETTERS[k] not in key])


def _lesson_targets(
    data_dir: Path, teacher_username: str
) -> list[tuple[Role, str, str, str | None]]:
    """A lesson plan of the teacher's class on the maths point the class answered most, saved
    with two sections confirmed (so the page shows both states), and its DOCX and PDF."""
    engine = make_engine(Settings(data_dir=data_dir))
    with session_scope(engine) as session:
        teacher = session.scalars(
            select(UserAccount).where(UserAccount.username == teacher_username)
        ).one()
        class_id = session.scalar(
            select(TeachingAssignment.school_class_id)
            .where(TeachingAssignment.teacher_id == teacher.teacher_id)
            .order_by(TeachingAssignment.school_class_id)
        )
        busiest = (
            select(ItemKp.knowledge_point_id)
            .join(AssessmentItem, AssessmentItem.item_id == ItemKp.item_id)
            .join(Score, Score.assessment_item_id == AssessmentItem.id)
            .join(Student, Student.id == Score.student_id)
            .join(KnowledgePoint, KnowledgePoint.id == ItemKp.knowledge_point_id)
            .join(Subject, Subject.id == KnowledgePoint.subject_id)
            .where(
                Student.school_class_id == class_id,
                Subject.code == "MATH",
                KnowledgePoint.level == KpLevel.POINT,
            )
            .group_by(ItemKp.knowledge_point_id)
            .order_by(func.count().desc(), ItemKp.knowledge_point_id)
        )
        kp_id = session.scalars(busiest).first()
        assert class_id is not None and kp_id is not None
        plan_id = lesson_service.save_plan(
            session,
            actor=teacher,
            school_class_id=class_id,
            kp_id=kp_id,
            texts={},
            confirmed=["objectives", "class_data"],
        )
    engine.dispose()
    return [
        (Role.TEACHER, "lesson-plan.png", f"/lessons/{plan_id}", None),
        (Role.TEACHER, "lesson-plan.docx", f"/lessons/{plan_id}.docx", None),
        (Role.TEACHER, "lesson-plan.pdf", f"/lessons/{plan_id}.pdf", None),
    ]


def _simulate_marking(session: Session, leader: UserAccount, exam: Assessment) -> None:
    """2+1 marking of the exam's first written item: two colleagues give the first two marks,
    the leader gives some third marks with a loose hand, so some answers reach arbitration."""
    colleagues = session.scalars(
        select(Teacher)
        .join(TeachingAssignment, TeachingAssignment.teacher_id == Teacher.id)
        .where(
            Teacher.school_id == leader.school_id,
            Teacher.id != leader.teacher_id,
            TeachingAssignment.subject_id == exam.subject_id,
        )
        .order_by(Teacher.id)
        .distinct()
        .limit(2)
    ).all()
    markers = []
    for colleague in colleagues:
        username = f"m{colleague.staff_number}"
        account = UserAccount(
            username=username,
            password_hash=hash_password(DEMO_PASSWORD, username=username),
            role=Role.TEACHER,
            display_name=colleague.name,
            district_id=leader.district_id,
            school_id=leader.school_id,
            teacher_id=colleague.id,
            is_active=True,
            created_at=datetime.now(UTC),
        )
        session.add(account)
        markers.append(account)
    session.flush()
    item = subjective_items(session, exam.id)[0]
    built = build_demo_marking(
        session,
        actor=CLI,
        assessment_id=exam.id,
        mode=MarkingMode.DOUBLE_THIRD,
        marker_ids=(markers[0].id, markers[1].id, leader.id),
        leader_id=leader.id,
        tolerance=1.0,
        item_ids=[item.id],
    )
    task_id = built.task_ids[0]
    rng = random.Random(0)
    for marker, n_marks, sd in (
        (markers[0], 10**6, 0.8),
        (markers[1], 10**6, 0.8),
        (leader, 12, 3.0),
    ):
        for _mark in range(n_marks):
            claim = service.next_answer(session, actor=marker, task_id=task_id)
            if claim is None:
                break
            score = simulated_score(built.true_scores[claim.answer_id], item.full_score, rng, sd)
            service.submit_mark(
                session, actor=marker, mark_id=claim.mark_id, answer_id=claim.answer_id, score=score
            )


def _assistant_targets(
    data_dir: Path, logins: dict[Role, str]
) -> list[tuple[Role, str, str, str | None]]:
    """The student's and the teacher's conversations with the assistant (asked once per data
    folder), at noon on the Wednesday of the student's latest homework week."""
    settings = Settings(data_dir=data_dir)
    model = assistant_service.model_of(settings)
    engine = make_engine(settings)
    with session_scope(engine) as session:
        accounts = {
            role: session.scalars(
                select(UserAccount).where(UserAccount.username == logins[role])
            ).one()
            for role in (Role.STUDENT, Role.TEACHER)
        }
        found = {
            role: session.scalar(
                select(AssistantConversation.id)
                .where(AssistantConversation.user_account_id == account.id)
                .order_by(AssistantConversation.id)
            )
            for role, account in accounts.items()
        }
        student = accounts[Role.STUDENT]
        set_on = session.scalar(
            select(func.max(Assessment.held_on))
            .join(AssessmentClass, AssessmentClass.assessment_id == Assessment.id)
            .join(Student, Student.school_class_id == AssessmentClass.school_class_id)
            .where(Student.id == student.student_id, Assessment.kind == AssessmentKind.HOMEWORK)
        )
        assert set_on is not None
        now = datetime.combine(set_on + timedelta(days=2), time(12), SCHOOL_TIME).astimezone(UTC)
        questions = {
            Role.STUDENT: ["负数的绝对值怎么求？"],
            Role.TEACHER: ["一元二次方程的根的判别式有什么用？", "解方程 x^2-5x+6=0"],
        }
        items = [i for i in open_items(session, student_id=student.student_id or 0, now=now)
                 if not i.is_exam]  # fmt: skip
        items.sort(key=lambda i: i.item_type != "fill_in")  # a fill-in item first, if any
        if items:
            questions[Role.STUDENT].append(f"这道作业题怎么做？{items[0].stem}")
        for role, account in accounts.items():
            if found[role] is not None:
                continue
            for question in questions[role]:
                found[role] = assistant_service.ask(
                    session, actor=account, question=question, model=model, now=now,
                    conversation_id=found[role],
                ).conversation_id  # fmt: skip
    engine.dispose()
    return [
        (Role.STUDENT, "assistant-student.png", f"/assistant?c={found[Role.STUDENT]}", None),
        (Role.TEACHER, "assistant-teacher.png", f"/assistant?c={found[Role.TEACHER]}", None),
    ]


def _login(page: Page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(base + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("form.login button[type=submit]")
    page.wait_for_url(base + "/home")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, default=Path("data"))
    parser.add_argument("--out", type=Path, default=Path("docs/samples"))
    parser.add_argument(
        "--only", action="extend", nargs="+", default=[], help="file names to shoot (default all)"
    )
    options = parser.parse_args()
    options.out.mkdir(parents=True, exist_ok=True)
    logins, targets = _targets(options.data_dir)
    wanted = set(options.only)
    if not wanted or wanted & {
        "marking-page.png",
        "marking-leader-page.png",
        "scan-review-page.png",
    }:
        targets += _marking_targets(options.data_dir, logins[Role.TEACHER])
    if not wanted or wanted & {"lesson-plan.png", "lesson-plan.docx", "lesson-plan.pdf"}:
        targets += _lesson_targets(options.data_dir, logins[Role.TEACHER])
    if not wanted or "live-classroom.png" in wanted:
        targets += _classroom_targets(options.data_dir, logins[Role.TEACHER])
    if not wanted or wanted & {"assistant-student.png", "assistant-teacher.png"}:
        targets += _assistant_targets(options.data_dir, logins)
    if wanted:
        targets = [t for t in targets if t[1] in wanted]
    if any(t[1] == "fairness-page.png" for t in targets):
        _fairness_report(options.data_dir)
    with _server(options.data_dir) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        page.set_default_timeout(180_000)
        role = None
        for who, name, path, element in targets:
            if who != role:
                _login(page, base, logins[who])
                role = who
            target = options.out / name
            if target.suffix in (".docx", ".pdf"):  # a download: fetched with the login's cookie
                download = page.request.get(base + path)
                assert download.ok, (path, download.status)
                target.write_bytes(download.body())
                print(name, path)
                continue
            response = page.goto(base + path)
            assert response is not None and response.status == 200, (path, response)
            page.wait_for_load_state("networkidle")
            if element is None:
                page.screenshot(path=str(target), full_page=True)
            else:
                page.locator(element).screenshot(path=str(target))
            print(name, path)
        browser.close()


if __name__ == "__main__":
    main()
