"""A teacher's score import in real headless Chromium, on a copy of the demo district: download the
prefilled score sheet, change marks, upload, read the diff, confirm, find it in the history.
Screenshots go to $YINCAI_SCREENSHOT_DIR (docs/samples) or a tmp dir."""

from __future__ import annotations

import os
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.demo_copies import writable_demo_copy
from tests.web.servers import served
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS, DEMO_PASSWORD, _usernames
from yincai.accounts.models import Role
from yincai.config import Settings
from yincai.db import make_engine
from yincai.domain.models import ImportBatch

pytestmark = pytest.mark.browser

N_CHANGED = 3


def _fill_marks(sheet_path: Path) -> list[str]:
    """Mark the first few students 0 on every item and drop the other rows (students left out
    keep their scores); the numbers of the students marked."""
    book = openpyxl.load_workbook(sheet_path)
    sheet = book.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    first_item = header.index("班级") + 2  # 学号, 姓名, 班级, then the items (1-based columns)
    sheet.delete_rows(2 + N_CHANGED, sheet.max_row)
    for row in range(2, 2 + N_CHANGED):
        for column in range(first_item, len(header) + 1):
            sheet.cell(row=row, column=column).value = 0
    book.save(sheet_path)
    return [str(sheet.cell(row=row, column=1).value) for row in range(2, 2 + N_CHANGED)]


def test_a_teacher_imports_changed_scores_through_the_diff_preview_in_chromium(
    demo_settings: Settings, tmp_path: Path
) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed (apt-get install chromium fonts-noto-cjk)")
    settings = writable_demo_copy(demo_settings, tmp_path / "district")
    shots = Path(os.environ.get("YINCAI_SCREENSHOT_DIR") or tmp_path / "shots")
    shots.mkdir(parents=True, exist_ok=True)
    teacher = _usernames(settings)[Role.TEACHER]
    sheet_path = tmp_path / "scores.xlsx"

    with served(settings) as url, sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=CHROMIUM, args=CHROMIUM_ARGS,
            headless=True, viewport={"width": 1280, "height": 900}, locale="zh-CN",
            accept_downloads=True,
        )  # fmt: skip
        try:
            page = context.new_page()
            page.goto(url + "/login")
            page.fill("input[name=username]", teacher)
            page.fill("input[name=password]", DEMO_PASSWORD)
            page.click("form.login button[type=submit]")
            page.wait_for_url(url + "/home")

            page.goto(url + "/imports")
            page.locator("section.templates").screenshot(path=str(shots / "import-templates.png"))
            options = page.locator("section.templates select[name=assessment] option")
            exam = options.filter(has_text="数学").first  # the demo teacher teaches maths
            exam_code = exam.get_attribute("value")
            page.select_option("section.templates select[name=assessment]", exam_code)
            with page.expect_download() as download:
                page.click("section.templates form button[type=submit]")
            assert download.value.suggested_filename.endswith(".xlsx")
            download.value.save_as(sheet_path)
            changed = _fill_marks(sheet_path)
            assert len(changed) == N_CHANGED

            page.select_option("form.upload select[name=kind]", "scores")
            page.select_option("form.upload select[name=assessment_code]", exam_code)
            page.set_input_files("form.upload input[name=file]", str(sheet_path))
            page.click("form.upload button[type=submit]")
            page.wait_for_selector("table.diff-changed")
            warning = page.inner_text("p.warn-overwrite")
            diff_text = page.inner_text("table.diff-changed")
            page.screenshot(path=str(shots / "import-preview-page.png"), full_page=True)
            assert f"{N_CHANGED} 名学生的成绩将被改写" in warning
            assert all(number in diff_text for number in changed) and "→" in diff_text

            page.check("form.confirm input[name=overwrite]")
            page.click("form.confirm button[type=submit]")
            page.wait_for_selector("section.preview.done")
            assert "导入完成" in page.inner_text("section.preview.done")

            page.goto(url + "/imports/history")
            history = page.inner_text("table.history")
            page.screenshot(path=str(shots / "import-history-page.png"), full_page=True)
            assert sheet_path.name in history and "撤销此次导入" in history
        finally:
            context.close()

    engine = make_engine(settings)
    with Session(engine) as session:
        batch = session.scalars(select(ImportBatch).order_by(ImportBatch.id.desc())).first()
    engine.dispose()
    assert batch is not None and batch.file_name == sheet_path.name and batch.origin == "web"
    assert batch.user_account_id is not None
