"""Real Chromium through the login steps an admin meets: a temporary password to replace, a
required authenticator to enrol (the server-drawn QR code must show), a two-step login, and a
cookie copied before logout that opens nothing afterwards."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pyotp
import pytest
from sqlalchemy import update

from tests.governance.world import PASSWORD
from tests.web.conftest import WorldDatabase
from tests.web.servers import served
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS
from yincai.accounts.models import UserAccount
from yincai.db import make_engine, session_scope

pytestmark = pytest.mark.browser
NEW_PASSWORD = "春眠不觉晓-2026"


def test_an_admin_changes_a_temporary_password_enrols_and_logs_in_with_a_code(
    world_db: WorldDatabase, tmp_path: Path
) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed (apt-get install chromium fonts-noto-cjk)")
    shots = Path(os.environ.get("YINCAI_SCREENSHOT_DIR") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    settings = world_db.settings.model_copy(
        update={"secret_key": "district-key-0123456789", "require_admin_two_factor": True}
    )
    engine = make_engine(settings)
    with session_scope(engine) as session:
        session.execute(
            update(UserAccount)
            .where(UserAccount.username == "w-school_admin")
            .values(must_change_password=True)
        )
    engine.dispose()
    class_page = f"/classes/{world_db.world['C1a']}"
    with served(settings) as url, sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=CHROMIUM, args=CHROMIUM_ARGS,
            headless=True, viewport={"width": 1100, "height": 900}, locale="zh-CN",
        )  # fmt: skip
        try:
            page = context.new_page()
            failed: list[str] = []  # responses ≥ 400 other than the favicon nobody ships
            page.on(
                "response",
                lambda r: (
                    failed.append(f"{r.status} {r.url}")
                    if r.status >= 400 and not r.url.endswith("/favicon.ico")
                    else None
                ),
            )

            def log_in(password: str) -> None:
                page.goto(url + "/login")
                page.fill("input[name=username]", "w-school_admin")
                page.fill("input[name=password]", password)
                page.click("form.login button[type=submit]")

            log_in(PASSWORD)
            page.wait_for_url(url + "/account/password")
            page.goto(url + class_page)  # every page leads back to the form
            page.wait_for_url(url + "/account/password")
            page.fill("input[name=old_password]", PASSWORD)
            page.fill("input[name=new_password]", NEW_PASSWORD)
            page.fill("input[name=new_password_again]", NEW_PASSWORD)
            page.click("form.login button[type=submit]")
            page.click("text=继续")
            page.wait_for_url(url + "/account/two-factor")
            page.click("text=开始绑定")
            qr = page.locator("figure.qr svg")
            box = qr.bounding_box()
            assert box is not None and box["width"] > 100 and box["height"] > 100
            page.screenshot(path=str(shots / "two_factor_enrol.png"), full_page=True)
            totp = pyotp.TOTP(page.inner_text("code.secret").replace(" ", ""))
            page.fill("input[name=code]", totp.now())
            page.click("form.login button[type=submit]")
            assert "两步验证已启用" in page.inner_text("main")
            page.goto(url + class_page)
            assert page.url == url + class_page
            saved = context.cookies()
            page.click("header form button[type=submit]")  # log out
            page.wait_for_url(url + "/")
            context.add_cookies(saved)  # the cookie copied before logout
            page.goto(url + class_page)
            assert page.url.startswith(url + "/login")
            log_in(NEW_PASSWORD)
            page.wait_for_url(url + "/login/two-factor")
            page.fill("input[name=code]", totp.at(time.time() + 30))  # a code works once
            page.click("form.login button[type=submit]")
            page.wait_for_url(url + "/home")
            assert "班级与考试" in page.inner_text("h1")
        finally:
            context.close()
    assert failed == []
