"""In real headless Chromium (htmx under the pages' Content-Security-Policy): the class page's
booklet link leads to the status page, which shows the build's progress as the worker stores it
and then the download link, without a reload."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.documents.conftest import smallest_junior_class
from tests.web.servers import served
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS, DEMO_PASSWORD, _usernames
from yincai.accounts.models import Role
from yincai.config import Settings
from yincai.documents.build import build_document

pytestmark = pytest.mark.browser
STEP_S = 0.4  # a pause after each student, so the page has progress to show


def test_the_status_page_shows_progress_then_the_download_link_in_chromium(
    demo_settings: Settings, demo_engine: Engine, tmp_path: Path
) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed (apt-get install chromium fonts-noto-cjk)")
    class_id, names = smallest_junior_class(demo_engine)
    with served(demo_settings) as server, sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=CHROMIUM, args=CHROMIUM_ARGS,
            headless=True, viewport={"width": 1280, "height": 900}, locale="zh-CN",
            accept_downloads=True,
        )  # fmt: skip
        try:
            page = context.new_page()
            page.goto(server + "/login")
            page.fill("input[name=username]", _usernames(demo_settings)[Role.DISTRICT_ADMIN])
            page.fill("input[name=password]", DEMO_PASSWORD)
            page.click("form.login button[type=submit]")
            page.wait_for_url(server + "/home")
            page.goto(f"{server}/classes/{class_id}")
            page.click(f"a[href='/classes/{class_id}/practice.pdf']")
            page.wait_for_url(f"{server}/documents/*")
            assert "排队中" in page.inner_text("#document-progress")
            document_id = int(page.url.rsplit("/", 1)[1])
            builder = threading.Thread(
                target=build_document,
                args=(demo_engine, document_id),
                kwargs={
                    "error_log": tmp_path / "errors.log",
                    "on_progress": lambda *_: time.sleep(STEP_S),
                },
            )
            builder.start()
            page.wait_for_selector("#document-progress progress[value]", timeout=30_000)
            assert "正在生成" in page.inner_text("#document-progress")
            link = page.wait_for_selector("a[href$='/file']", timeout=120_000)
            assert link is not None
            builder.join()
            with page.expect_download() as download:
                link.click()
            pdf = Path(download.value.path()).read_bytes()
        finally:
            context.close()
    assert pdf.startswith(b"%PDF-") and len(names) > 0
