"""Real headless Chromium walks every kind of page of every role on the multi-subject demo, as a
user clicking through would: from each role's home, every link of the site is followed (one page
of each kind: ``/students/12`` and ``/students/15`` are one kind), downloads included, and every
filter form is submitted as it stands.

It fails on a link that answers 4xx/5xx, on an English word in the interface of a Chinese page
(words of the district's own content, e.g. an English item's stem, and codes are allowed), and on
a table that shows more than ``MAX_ROWS`` rows (longer lists are paged)."""

from __future__ import annotations

import re
from collections import deque
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag

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
from yincai.domain.models import (
    Assessment,
    Item,
    KnowledgePoint,
    Resource,
    School,
    SchoolClass,
    Subject,
)
from yincai.library.models import ResourceChunk

pytestmark = pytest.mark.browser

MAX_ROWS = 50  # a list longer than this must be paged
MAX_PAGES_PER_ROLE = 90
VISITS_PER_SHAPE = 1
# Links not to follow: they end the session, switch the language, or are not pages of the site.
SKIP = re.compile(r"^/(logout|lang/|static/|docs|redoc|openapi\.json)")
DOWNLOAD = re.compile(r"\.(pdf|xlsx|zip|csv|docx)(\?|$)|/file(\?|$)")
WORD = re.compile(r"[A-Za-z][A-Za-z'’]+")
TOKEN = re.compile(r"[A-Za-z0-9_'’.@/-]+")  # a token with a digit, _ . @ or / is a code or hash
# Interface words allowed on a Chinese page: file formats, standards and names of things.
ALLOWED = set(
    (
        "PDF XLSX DOCX CSV ZIP API JSON OpenAPI OneRoster yincai ID TOTP QR URL HTTP HTTPS AI "
        "Excel Swagger ReDoc ECharts Chromium KPI AUC IRT BKT DINA Pearson ICC SD Cohen "
        "Hedges p GB UTF MB KB UTC HMAC SHA XLS YAML xAPI HTML HTM Markdown MD TXT meta"
    )
    .lower()
    .split()
)


def _content_words(settings: Settings) -> set[str]:
    """Every word of the district's own data (item stems and answers, names of knowledge
    points, exams, schools, classes and subjects, usernames, library materials): content, not
    interface."""
    engine = make_engine(settings)
    words: set[str] = set()
    with Session(engine) as session:
        texts: list[Any] = []
        for column in (
            Item.stem,
            Item.answer,
            Item.options,
            Item.code,
            KnowledgePoint.name,
            KnowledgePoint.code,
            Assessment.name,
            Assessment.code,
            School.name,
            School.code,
            SchoolClass.name,
            Subject.name,
            Subject.code,
            UserAccount.username,
            UserAccount.display_name,
            Resource.title,  # the resource library: its materials and their licences
            Resource.licence,
            ResourceChunk.heading,
            ResourceChunk.text,
        ):
            texts.extend(session.scalars(select(column)).all())
    engine.dispose()
    for text in texts:
        words.update(w.lower() for w in WORD.findall(str(text)))
    return words


def _shape(url: str) -> str:
    """The kind of page a URL shows: every number made ``#`` and the page number dropped."""
    path, _, query = url.partition("?")
    query = "&".join(p for p in query.split("&") if not p.startswith(("page=", "cursor=")))
    return re.sub(r"\d+", "#", path + "?" + query)


def _english_words(text: str, allowed: set[str]) -> set[str]:
    """Words of Latin letters that are neither allowed nor part of a code (``S01``, a hash, a
    file name, an address)."""
    words = set()
    for token in TOKEN.findall(text):
        if re.search(r"[0-9_.@/]", token.strip(".")):
            continue
        for word in WORD.findall(token):
            if word.lower() not in allowed and word.lower().strip("'’") not in allowed:
                words.add(word)
    return words


ROWS_OF_TABLES = "ts => ts.map(t => (t.tBodies.length ? t.tBodies[0] : t).rows.length)"
# A filter form (method get) as a user submits it untouched: its action with its default values.
GET_FORMS = """fs => fs.filter(f => (f.getAttribute('method') || 'get').toLowerCase() === 'get')
  .map(f => {
    const action = new URL(f.getAttribute('action') || window.location.pathname, window.location);
    const query = new URLSearchParams(new FormData(f)).toString();
    return action.pathname + (query ? '?' + query : '');
  })"""


def _walk(page: Any, base: str, allowed: set[str]) -> tuple[dict[str, list[str]], int]:
    """Problems of each page reached from the home page by links; and the pages seen."""
    problems: dict[str, list[str]] = {}
    queue, seen = deque(["/home"]), {"/home"}
    visits: dict[str, int] = {}
    n_pages = 0
    while queue and n_pages < MAX_PAGES_PER_ROLE:
        path = queue.popleft()
        found: list[str] = []
        if DOWNLOAD.search(path):
            response = page.request.get(base + path, timeout=120_000)
            n_pages += 1
            if response.status >= 400:
                found.append(f"status {response.status}")
            if found:
                problems[path] = found
            continue
        response = page.goto(base + path, timeout=120_000)
        n_pages += 1
        status = response.status if response is not None else 0
        if status >= 400 or status == 0:
            problems[path] = [f"status {status}"]
            continue
        english = _english_words(page.inner_text("body"), allowed)
        if english:
            found.append(f"English words: {sorted(english)[:12]}")
        long_tables = [
            n for n in page.eval_on_selector_all("table", ROWS_OF_TABLES) if n > MAX_ROWS
        ]
        if long_tables:
            found.append(f"tables of {long_tables} rows, not paged")
        links = page.eval_on_selector_all("a[href]", "as => as.map(a => a.getAttribute('href'))")
        links += page.eval_on_selector_all("main form", GET_FORMS)
        for link in links:
            target = urldefrag(link).url
            if not target.startswith("/") or target.startswith("//") or SKIP.search(target):
                continue
            shape = _shape(target)
            if target not in seen and visits.get(shape, 0) < VISITS_PER_SHAPE:
                seen.add(target)
                visits[shape] = visits.get(shape, 0) + 1
                queue.append(target)
        if found:
            problems[path] = found
    return problems, n_pages


def test_chromium_walks_every_kind_of_page_of_every_role_without_dead_ends_or_english(
    server: str,  # noqa: F811
    demo_settings: Settings,
    backend: str,
    tmp_path: Path,
) -> None:
    if backend == "postgresql":
        # the text and links of a page do not depend on the backend; every route's answer on
        # PostgreSQL is checked by tests/web/test_matrix.py (CI time: 4 min)
        pytest.skip("the walk checks words and links: SQLite suffices")
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed (apt-get install chromium fonts-noto-cjk)")
    usernames = _usernames(demo_settings)
    allowed = ALLOWED | _content_words(demo_settings)
    problems: dict[str, list[str]] = {}
    n_pages: dict[str, int] = {}
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=CHROMIUM, args=CHROMIUM_ARGS,
            headless=True, viewport={"width": 1280, "height": 900}, locale="zh-CN",
        )  # fmt: skip
        try:
            page = context.new_page()
            for role in Role:
                context.clear_cookies()
                page.goto(server + "/login")
                page.fill("input[name=username]", usernames[role])
                page.fill("input[name=password]", DEMO_PASSWORD)
                page.click("form.login button[type=submit]")
                page.wait_for_url(server + "/home")
                found, n_pages[role.value] = _walk(page, server, allowed)
                problems |= {f"{role.value} {path}": value for path, value in found.items()}
        finally:
            context.close()
    assert problems == {}, "\n".join(f"{path}: {found}" for path, found in problems.items())
    assert n_pages["district_admin"] >= 25 and n_pages["teacher"] >= 10
    assert min(n_pages.values()) >= 4


def test_the_walks_checks_find_what_they_look_for() -> None:
    allowed = ALLOWED | {"gina"}
    text = "成绩单 My name's Gina · PDF · sitting · S01 3afca2 scores.xlsx a@b.cn"
    assert _english_words(text, allowed) == {
        "My",
        "name's",
        "sitting",
    }
    assert _shape("/students/12?page=3&subject=MATH") == _shape("/students/15?subject=MATH")
    assert _shape("/classes/3") != _shape("/schools/3")
