"""Screenshots of the report pages for docs/samples, taken in headless Chromium on a built demo.

    .venv/bin/python benchmarks/samples.py --data-dir data --out docs/samples

Starts the platform on a free port, logs in as the demo teacher and the district admin, and
saves full-page PNGs of the 成绩单, 临界生, 试卷讲评, class heatmap, growth curves, homework,
偏科 (joint exam) pages and the district's class comparison chart (50+ classes); then sets up
online marking of one written item of the teacher's exam in 2+1 mode (two more maths teachers of
the school get accounts; simulated markers give the first two marks and some third ones) and a
batch of demo scans, and shoots the marking page, the item leader's page (arbitration, marker
quality) and the scan-review queue; and the district's fairness report, computed first in the
foreground as the job worker would (``--only fairness-page.png`` shoots that page alone).
"""

from __future__ import annotations

import argparse
import random
import shutil
from datetime import UTC, datetime
from pathlib import Path

from playwright.sync_api import Page, sync_playwright
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yincai.accounts.actors import CLI
from yincai.accounts.models import Role, UserAccount
from yincai.accounts.passwords import hash_password
from yincai.bench.cockpit import _server
from yincai.config import Settings
from yincai.db import make_engine, session_scope
from yincai.demo.build import DEMO_PASSWORD
from yincai.domain.models import (
    Assessment,
    AssessmentClass,
    AssessmentKind,
    JointExam,
    Subject,
    Teacher,
    TeachingAssignment,
)
from yincai.fairness import service as fairness_service
from yincai.fairness.build import build_report
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
        (Role.DISTRICT_ADMIN, "fairness-page.png", "/governance/fairness", None),
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
    parser.add_argument("--only", nargs="*", default=[], help="file names to shoot (default: all)")
    options = parser.parse_args()
    options.out.mkdir(parents=True, exist_ok=True)
    logins, targets = _targets(options.data_dir)
    if options.only:
        targets = [t for t in targets if t[1] in options.only]
    else:  # the marking set-up writes to the database: only when its pages are shot
        targets += _marking_targets(options.data_dir, logins[Role.TEACHER])
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
