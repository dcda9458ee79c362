"""Real headless Chromium (Debian's /usr/bin/chromium, driven by Playwright) logs in as each role
and walks its pages; screenshots go to $YINCAI_SCREENSHOT_DIR or a tmp dir."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from sqlalchemy import select

from yincai.accounts.models import Role, UserAccount
from yincai.app import create_app
from yincai.config import Settings
from yincai.db import make_engine, session_scope

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]  # fmt: skip
DEMO_PASSWORD = "yincai-demo-2026"
# What each role's home must show (Chinese text proves the page rendered, not an error page).
HOME_TEXT = {
    Role.DISTRICT_ADMIN: "全区学校",
    Role.SCHOOL_ADMIN: "班级与考试",
    Role.TEACHER: "我的班级",
    Role.STUDENT: "我的学业",
    Role.PARENT: "孩子的学业",
}


@pytest.fixture(scope="module")
def server(demo_settings: Settings) -> Iterator[str]:
    """The app served by uvicorn on a free loopback port, in a thread."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(create_app(demo_settings), host="127.0.0.1", port=port,
                            log_level="warning", lifespan="on")  # fmt: skip
    uvicorn_server = uvicorn.Server(config)
    thread = threading.Thread(target=uvicorn_server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uvicorn_server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    uvicorn_server.should_exit = True
    thread.join(timeout=10)


def _usernames(settings: Settings) -> dict[Role, str]:
    engine = make_engine(settings)
    with session_scope(engine) as session:
        accounts = session.scalars(select(UserAccount).order_by(UserAccount.id)).all()
        found: dict[Role, str] = {}
        for account in accounts:
            found.setdefault(account.role, account.username)
    engine.dispose()
    return found


def test_each_role_logs_in_and_walks_its_pages_in_chromium(
    server: str, demo_settings: Settings, tmp_path: Path
) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed (apt-get install chromium fonts-noto-cjk)")
    shots = Path(os.environ.get("YINCAI_SCREENSHOT_DIR") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    usernames = _usernames(demo_settings)
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=CHROMIUM, args=CHROMIUM_ARGS,
            headless=True, viewport={"width": 1280, "height": 900}, locale="zh-CN",
        )  # fmt: skip
        try:
            page = context.new_page()
            page.goto(server + "/")
            page.screenshot(path=str(shots / "landing.png"), full_page=True)
            for role, text in HOME_TEXT.items():
                context.clear_cookies()
                page.goto(server + "/login")
                page.fill("input[name=username]", usernames[role])
                page.fill("input[name=password]", DEMO_PASSWORD)
                page.click("form.login button[type=submit]")
                page.wait_for_url(server + "/home")
                assert text in page.inner_text("h1")
                page.screenshot(path=str(shots / f"{role.value}_home.png"), full_page=True)
                links = page.locator("main a[href^='/classes/'], main a[href^='/schools/']")
                if links.count():
                    links.first.click()
                    page.wait_for_load_state()
                    assert page.locator("table").count() >= 1
                    page.screenshot(path=str(shots / f"{role.value}_next.png"), full_page=True)
                page.click("header form button[type=submit]")  # log out
                page.wait_for_url(server + "/")
            page.goto(server + "/login?lang=en")
            assert "Please log in" in page.inner_text("form.login")
            page.screenshot(path=str(shots / "login_en.png"))
        finally:
            context.close()
    assert len(list(shots.glob("*.png"))) >= 7
