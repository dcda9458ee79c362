"""Screenshots of the report pages for docs/samples, taken in headless Chromium on a built demo.

    .venv/bin/python benchmarks/samples.py --data-dir data --out docs/samples

Starts the platform on a free port, logs in as the demo teacher and the district admin, and
saves full-page PNGs of the 成绩单, 临界生, 试卷讲评, class heatmap, growth curves, homework,
偏科 (joint exam) pages and the district's class comparison chart (50+ classes).
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from playwright.sync_api import Page, sync_playwright
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yincai.accounts.models import Role, UserAccount
from yincai.bench.cockpit import _server
from yincai.config import Settings
from yincai.db import make_engine
from yincai.demo.build import DEMO_PASSWORD
from yincai.domain.models import (
    Assessment,
    AssessmentClass,
    AssessmentKind,
    JointExam,
    Subject,
    TeachingAssignment,
)

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
