"""Screenshots of the report pages for docs/samples, taken in headless Chromium on a built demo.

    .venv/bin/python benchmarks/samples.py --data-dir data --out docs/samples

Starts the platform on a free port, logs in as the demo teacher and the district admin, and
saves full-page PNGs of the 成绩单, 临界生, 试卷讲评, class heatmap, growth curves, homework,
偏科 (joint exam) pages and the district's class comparison chart (50+ classes); then sets up
online marking of one written item of the teacher's exam in 2+1 mode (two more maths teachers of
the school get accounts; simulated markers give the first two marks and some third ones) and a
batch of demo scans, and shoots the marking page, the item leader's page (arbitration, marker
quality) and the scan-review queue; last, the assistant (AI 助教): the demo student asks about
an item of the week's homework (student mode: hints, not the answer) and a library question, the
teacher asks a library question and an equation (worked and checked by sympy), and both pages are
shot (with ``YINCAI_LLM_URL``/``_MODEL`` set, the configured model answers; otherwise the
library's extractive answer).
"""

from __future__ import annotations

import argparse
import random
import shutil
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

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
from yincai.config import Settings
from yincai.db import make_engine, session_scope
from yincai.demo.build import DEMO_PASSWORD
from yincai.domain.models import (
    Assessment,
    AssessmentClass,
    AssessmentKind,
    JointExam,
    Student,
    Subject,
    Teacher,
    TeachingAssignment,
)
from yincai.homework.data import SCHOOL_TIME
from yincai.marking import scans, service
from yincai.marking.demo import build_demo_marking, simulated_score, subjective_items
from yincai.marking.demo_scans import demo_scans
from yincai.marking.models import MarkingMode, MarkingSession, ScanBatch
from yincai.marking.sheets import sheet_layout

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
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
        (Role.TEACHER, "class-homework-page.png", f"{klass}/homework?subject=MATH", None),
        (Role.TEACHER, "joint-exam-page.png", f"/joint-exams/{joint}/report?scope=class:{class_id}",
         None),
        (Role.DISTRICT_ADMIN, "district-class-comparison.png", f"/assessments/{widest[0]}/report",
         ".chart >> nth=1"),  # the distribution, then the comparison of the classes
        (Role.DISTRICT_ADMIN, "cockpit-page.png", "/cockpit", None),
    ]  # fmt: skip


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
    options = parser.parse_args()
    options.out.mkdir(parents=True, exist_ok=True)
    logins, targets = _targets(options.data_dir)
    targets += _marking_targets(options.data_dir, logins[Role.TEACHER])
    targets += _assistant_targets(options.data_dir, logins)
    with _server(options.data_dir) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        page.set_default_timeout(180_000)
        role = None
        for who, name, path, element in targets:
            if who != role:
                _login(page, base, logins[who])
                role = who
            response = page.goto(base + path)
            assert response is not None and response.status == 200, (path, response)
            page.wait_for_load_state("networkidle")
            target = options.out / name
            if element is None:
                page.screenshot(path=str(target), full_page=True)
            else:
                page.locator(element).screenshot(path=str(target))
            print(name, path)
        browser.close()


if __name__ == "__main__":
    main()
