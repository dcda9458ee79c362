"""Real headless Chromium under the platform's Content-Security-Policy, with the network cut off
beyond the test server: one page of each kind per role, and the API documentation. The test
fails on any CSP violation (console or ``securitypolicyviolation`` event), any script error or
any request to another host, and checks that charts drew, maths were sized and the select
boxes whose inline handlers moved to pages.js still work."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select
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
from yincai.domain.models import Assessment, Item, ItemKp, Sitting

pytestmark = pytest.mark.browser

# Nothing but the loopback address resolves: a page that needs the internet cannot work.
OFFLINE_ARGS = ["--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__violations.push(event.violatedDirective + " blocked " + (event.blockedURI || "inline")
    + " at " + event.sourceFile + ":" + event.lineNumber);
});
"""
CSP_MESSAGE = re.compile(r"Content.Security.Policy", re.IGNORECASE)


@dataclass
class Watch:
    """What went wrong in the browser, by page."""

    server: str
    problems: list[str] = field(default_factory=list)
    outside_requests: list[str] = field(default_factory=list)
    current: str = ""

    def on_console(self, message: Any) -> None:
        if CSP_MESSAGE.search(message.text):
            self.problems.append(f"{self.current}: console: {message.text[:200]}")

    def on_page_error(self, error: Any) -> None:
        self.problems.append(f"{self.current}: script error: {error}")

    def on_route(self, route: Any) -> None:
        if urlsplit(route.request.url).hostname == urlsplit(self.server).hostname:
            route.continue_()
        else:
            self.outside_requests.append(route.request.url)
            route.abort()


def _item_bank_path(settings: Settings) -> str:
    """The item bank at a knowledge point with an item whose stem has maths in it."""
    engine = make_engine(settings)
    with Session(engine) as session:
        kp_id = session.scalar(
            select(ItemKp.knowledge_point_id)
            .join(Item, Item.id == ItemKp.item_id)
            .where(Item.stem.contains("$"))
            .order_by(ItemKp.knowledge_point_id)
        )
    engine.dispose()
    assert kp_id is not None
    return f"/itembank?kp_id={kp_id}"


def _child_report_path(settings: Settings, username: str) -> str:
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


def _exam_report_path(settings: Settings) -> str:
    engine = make_engine(settings)
    with Session(engine) as session:
        assessment_id = session.scalar(select(func.min(Sitting.assessment_id)))
    engine.dispose()
    return f"/assessments/{assessment_id}/report"


@contextmanager
def _browser(tmp_path: Path, watch: Watch) -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed (apt-get install chromium fonts-noto-cjk)")
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=CHROMIUM,
            args=CHROMIUM_ARGS + OFFLINE_ARGS, headless=True,
            viewport={"width": 1280, "height": 900}, locale="zh-CN",
        )  # fmt: skip
        try:
            context.route("**/*", watch.on_route)
            context.add_init_script(RECORD_VIOLATIONS)
            page = context.new_page()
            page.on("console", watch.on_console)
            page.on("pageerror", watch.on_page_error)
            yield page
        finally:
            context.close()


def _visit(page: Any, watch: Watch, path: str) -> None:
    watch.current = path
    page.goto(watch.server + path)
    page.wait_for_load_state("networkidle")


def _hover_charts(page: Any) -> None:
    """Show each chart's tooltip: ECharts' HTML tooltips would break the style policy."""
    for chart in page.locator("[data-chart]").all():
        chart.scroll_into_view_if_needed()
        box = chart.bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2 - 15, box["y"] + box["height"] / 2 - 5)
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, steps=5)
        page.wait_for_timeout(150)


def _collect_violations(page: Any, watch: Watch) -> None:
    for violation in page.evaluate("window.__violations || []"):
        watch.problems.append(f"{watch.current}: {violation}")


def _charts_drawn(page: Any) -> tuple[int, int]:
    """(charts on the page, charts with a canvas or an SVG drawn in them)."""
    n_charts = page.locator("[data-chart]").count()
    n_drawn = page.locator("[data-chart]:has(canvas), [data-chart]:has(svg)").count()
    return n_charts, n_drawn


def _log_in(page: Any, watch: Watch, username: str) -> None:
    page.context.clear_cookies()
    _visit(page, watch, "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("form.login button[type=submit]")
    page.wait_for_url(watch.server + "/home")
    page.wait_for_load_state("networkidle")
    watch.current = f"{username} /home"
    _collect_violations(page, watch)


def test_every_kind_of_page_keeps_to_the_csp_offline_and_its_charts_draw(
    server: str,  # noqa: F811
    demo_settings: Settings,
    tmp_path: Path,
) -> None:
    usernames = _usernames(demo_settings)
    watch = Watch(server)
    charts: dict[str, tuple[int, int]] = {}
    maths: list[tuple[float, float, bool]] = []  # per maths image: width wanted, applied, in em
    mastery = [0.0, 0.0]  # the mastery chart of the teacher's copy: (data-height, height drawn)
    family_words = 0  # rows of the family copy's mastery in words
    with _browser(tmp_path, watch) as page:
        _visit(page, watch, "/login")
        _collect_violations(page, watch)
        for role in Role:
            _log_in(page, watch, usernames[role])
        # Pages of each kind, as a role that may see them.
        pages = {
            Role.DISTRICT_ADMIN: [
                "/cockpit", "/cockpit/warnings", _item_bank_path(demo_settings),
                "/governance/users", "/governance/audit", "/imports",
                _child_report_path(demo_settings, usernames[Role.PARENT]),
            ],
            Role.SCHOOL_ADMIN: ["/cockpit", "/governance/users"],
            Role.TEACHER: ["/imports"],
            Role.PARENT: [_child_report_path(demo_settings, usernames[Role.PARENT])],
        }  # fmt: skip
        for role, paths in pages.items():
            _log_in(page, watch, usernames[role])
            if role == Role.TEACHER:  # the class report, reached as a teacher does
                page.locator("main a[href^='/assessments/']").first.click()
                page.wait_for_load_state("networkidle")
                paths = [urlsplit(page.url).path + "?" + urlsplit(page.url).query, *paths]
            for path in paths:
                _visit(page, watch, path)
                _hover_charts(page)
                _collect_violations(page, watch)
                charts[f"{role.value} {path.split('?')[0]}"] = _charts_drawn(page)
                if path.startswith("/itembank"):
                    maths = page.evaluate(
                        "Array.from(document.querySelectorAll('img.math[data-em]'), i => ["
                        "Number(i.dataset.em.split(' ')[0]), parseFloat(i.style.width),"
                        " i.style.width.endsWith('em')])"
                    )
                if path.startswith("/students/") and role is Role.PARENT:
                    family_words = page.locator("table.mastery-words tbody tr").count()
                elif path.startswith("/students/"):
                    mastery = page.evaluate(
                        "(() => { const e = document.querySelector('[data-height]');"
                        " return [Number(e.dataset.height), e.getBoundingClientRect().height]; })()"
                    )
        spec = page.request.get(server + "/openapi.json").json()
        n_api_operations = sum(len(methods) for methods in spec["paths"].values())
        _visit(page, watch, "/docs")
        page.wait_for_selector(".opblock")
        n_operations = page.locator(".opblock").count()
        _collect_violations(page, watch)
        _visit(page, watch, "/redoc")
        page.wait_for_selector("[data-section-id^='tag/'][data-section-id*='/operation/']")
        n_redoc_operations = page.locator(
            "[data-section-id^='tag/'][data-section-id*='/operation/']"
        ).count()
        _collect_violations(page, watch)
        # The watch itself sees a violation: a style attribute inserted into a page.
        _visit(page, watch, "/home")
        page.evaluate("document.body.insertAdjacentHTML('beforeend', '<p style=\"color:red\">x')")
        page.wait_for_timeout(200)
        _collect_violations(page, watch)
    control = [p for p in watch.problems if p.startswith("/home")]
    assert len(control) >= 1 and "style-src" in " ".join(control)
    assert [p for p in watch.problems if not p.startswith("/home")] == []
    assert watch.outside_requests == []
    chart_pages = {k: v for k, v in charts.items() if v[0]}
    assert {"district_admin /cockpit", "school_admin /cockpit"} <= set(chart_pages)
    assert any(k.startswith("teacher /assessments/") for k in chart_pages)
    assert any(k.startswith("parent /students/") for k in chart_pages)
    assert all(n_drawn == n_charts for n_charts, n_drawn in chart_pages.values()), chart_pages
    assert maths and all(wanted == applied and is_em for wanted, applied, is_em in maths)
    assert mastery[0] > 0 and abs(mastery[0] - mastery[1]) < 1
    assert family_words > 0  # a family reads words (需要巩固 …), not a chart of model numbers
    assert n_operations == n_redoc_operations == n_api_operations >= 10


def test_select_boxes_navigate_without_inline_handlers(
    server: str,  # noqa: F811
    demo_settings: Settings,
    tmp_path: Path,
) -> None:
    usernames = _usernames(demo_settings)
    watch = Watch(server)
    with _browser(tmp_path, watch) as page:
        _log_in(page, watch, usernames[Role.DISTRICT_ADMIN])
        report = _exam_report_path(demo_settings)
        _visit(page, watch, report)
        wanted = page.eval_on_selector(
            "select[name=scope]",
            "s => Array.from(s.options).map(o => o.value).find(v => v && v !== s.value)",
        )
        page.select_option("select[name=scope]", wanted)
        page.wait_for_url(f"{server}{report}?{wanted}", timeout=10_000)
        _visit(page, watch, "/itembank")
        page.dispatch_event("select[name=subject_id]", "change")
        page.wait_for_url(re.compile(r".*/itembank\?subject_id=\d+$"), timeout=10_000)
        _collect_violations(page, watch)
    assert wanted.startswith(("school_id=", "school_class_id="))
    assert watch.problems == [] and watch.outside_requests == []
