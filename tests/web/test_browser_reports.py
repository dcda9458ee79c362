"""Screenshots of the report and import pages in real headless Chromium: the class exam report,
a student report (family copy) and an import preview that refuses a bad file, to
$YINCAI_SCREENSHOT_DIR or a tmp dir."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.web.test_browser import (  # the server fixture is reused by import
    CHROMIUM,
    CHROMIUM_ARGS,
    DEMO_PASSWORD,
    _usernames,
    server,  # noqa: F401
)
from yincai.accounts.models import Role, UserAccount
from yincai.config import Settings
from yincai.db import make_engine
from yincai.domain.models import Assessment, Sitting

pytestmark = pytest.mark.browser


def _own_report_path(settings: Settings, username: str) -> str:
    engine = make_engine(settings)
    with Session(engine) as session:
        student_id = session.scalar(
            select(UserAccount.student_id).where(UserAccount.username == username)
        )
        assessment_id = session.scalar(
            select(Sitting.assessment_id)
            .join(Assessment, Assessment.id == Sitting.assessment_id)
            .where(Sitting.student_id == student_id, Sitting.is_absent.is_(False))
            .order_by(Assessment.held_on.desc())
        )
    engine.dispose()
    return f"/students/{student_id}/assessments/{assessment_id}"


def test_report_and_import_pages_render_in_chromium(
    server: str,  # noqa: F811
    demo_settings: Settings,
    tmp_path: Path,
) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed (apt-get install chromium fonts-noto-cjk)")
    shots = Path(os.environ.get("YINCAI_SCREENSHOT_DIR") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    usernames = _usernames(demo_settings)
    bad_scores = tmp_path / "scores.csv"
    bad_scores.write_text("学号,姓名,1,2\n20269999999,无此人,3,x\n,空学号,1,1\n", encoding="utf-8")

    def log_in(page: object, role: Role) -> None:
        page.goto(server + "/login")  # type: ignore[attr-defined]
        page.fill("input[name=username]", usernames[role])  # type: ignore[attr-defined]
        page.fill("input[name=password]", DEMO_PASSWORD)  # type: ignore[attr-defined]
        page.click("form.login button[type=submit]")  # type: ignore[attr-defined]
        page.wait_for_url(server + "/home")  # type: ignore[attr-defined]

    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=CHROMIUM, args=CHROMIUM_ARGS,
            headless=True, viewport={"width": 1280, "height": 900}, locale="zh-CN",
        )  # fmt: skip
        try:
            page = context.new_page()
            log_in(page, Role.TEACHER)
            page.locator("main a[href^='/assessments/']").first.click()
            page.wait_for_selector("[data-chart] canvas")
            assert "小题分析" in page.inner_text("main")
            page.screenshot(path=str(shots / "class-report-page.png"), full_page=True)
            page.goto(server + "/imports")
            page.select_option("select[name=kind]", "scores")
            maths = page.locator("select[name=assessment_code] option", has_text="数学").first
            page.select_option("select[name=assessment_code]", maths.get_attribute("value"))
            page.set_input_files("input[name=file]", str(bad_scores))
            page.click("form.upload button[type=submit]")
            page.wait_for_selector("table.row-errors")
            page.screenshot(path=str(shots / "import-rejected-page.png"), full_page=True)
            context.clear_cookies()
            log_in(page, Role.PARENT)
            page.goto(server + _own_report_path(demo_settings, usernames[Role.PARENT]))
            page.wait_for_selector("[data-chart] canvas")
            text = page.inner_text("main")
            assert "错题本" in text and "名次" not in text and "排名" not in text
            page.screenshot(path=str(shots / "student-report-page.png"), full_page=True)
        finally:
            context.close()
    assert {p.name for p in shots.glob("*-page.png")} >= {
        "class-report-page.png", "student-report-page.png", "import-rejected-page.png"
    }  # fmt: skip
