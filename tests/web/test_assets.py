"""No page loads anything from another host, and no page carries inline script, event-handler
attributes or inline styles (the Content-Security-Policy would refuse them): checked on every
template and static file, and on the HTML the app serves to each role, crawled from its home."""

from __future__ import annotations

import re
from collections import deque
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.web.clients import logged_in
from yincai.accounts.models import Role, UserAccount
from yincai.app import create_app
from yincai.config import Settings
from yincai.db import make_engine, session_scope

SRC = Path(__file__).parents[2] / "src" / "yincai"
STATIC = SRC / "web" / "static"
PAGE_TEMPLATES = sorted((SRC / "web" / "templates").rglob("*.html"))
PRINT_TEMPLATES = sorted((SRC / "reports" / "templates").glob("*.*"))  # PDF only, never served
DEMO_PASSWORD = "yincai-demo-2026"
URL_ATTRIBUTES = {"src", "href", "action", "formaction", "poster", "data", "background", "srcset"}
EVENT_HANDLER = re.compile(
    r"on(abort|auxclick|before\w+|blur|cancel|change|click|close|contextmenu|copy|cut|dbl\w+|"
    r"drag\w*|drop|error|focus\w*|formdata|hashchange|input|invalid|key\w+|load\w*|message|"
    r"mouse\w+|paste|pause|play\w*|pointer\w+|popstate|reset|resize|scroll\w*|select\w*|show|"
    r"storage|submit|toggle|touch\w+|transition\w+|animation\w+|unload|wheel)"
)
EXTERNAL = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:)?[/\\]{2}", re.IGNORECASE)  # http://, //host
CSS_URL = re.compile(r"""(?:url\(|@import)\s*['"]?([^'")\s;]+)""", re.IGNORECASE)
ABSOLUTE_URL = re.compile(r"https?://", re.IGNORECASE)
# Hosts of CDNs and web fonts that a bundled library could fetch from at run time.
CDN_HOSTS = re.compile(
    r"cdn\.|fonts\.googleapis|fonts\.gstatic|unpkg\.com|jsdelivr|cdnjs|bootstrapcdn", re.I
)
# Links the crawl must not follow: they end the session, switch the language or download files.
SKIP = re.compile(r"^/(logout|lang/|static/)|\.(pdf|xlsx)(\?|$)")
MAX_PAGES_PER_ROLE = 80
VISITS_PER_SHAPE = 2


def is_external(url: str) -> bool:
    """Whether ``url`` names another host (a scheme with //, or a protocol-relative //host)."""
    return bool(EXTERNAL.match(url)) or url.strip().lower().startswith(("http:", "https:"))


class PageAudit(HTMLParser):
    """Collects what a strict CSP would refuse and every reference to another host."""

    def __init__(self, *, is_template: bool = False) -> None:
        super().__init__(convert_charrefs=True)
        self.is_template = is_template
        self.problems: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        for name, value in attributes.items():
            is_handler = EVENT_HANDLER.fullmatch(name) if self.is_template else name[:2] == "on"
            if is_handler:
                self.problems.append(f"<{tag} {name}=…> event-handler attribute")
            if name == "style":
                self.problems.append(f"<{tag} style=…> style attribute")
            if value.strip().lower().startswith("javascript:"):
                self.problems.append(f"<{tag} {name}={value!r}> javascript: URL")
            if name in URL_ATTRIBUTES:
                urls = [part.split()[0] for part in value.split(",") if part.split()]
                urls = urls if name == "srcset" else [value]
                self.problems += [
                    f"<{tag} {name}={u!r}> another host" for u in urls if is_external(u)
                ]
        # A JSON data block is never executed; any other script without src is inline code.
        is_data = attributes.get("type") == "application/json"
        if tag == "script" and not attributes.get("src") and not is_data:
            self.problems.append("inline <script>")
        if tag == "style":
            self.problems.append("<style> element")
        if tag == "a" and "href" in attributes:
            self.links.append(attributes["href"])

    handle_startendtag = handle_starttag


def audit(html: str, *, is_template: bool = False) -> PageAudit:
    parser = PageAudit(is_template=is_template)
    parser.feed(html)
    parser.close()
    return parser


def test_the_audit_finds_what_the_policy_would_refuse() -> None:
    bad = (
        '<script>alert(1)</script><p onclick="x()" style="color:red">'
        '<img src="https://cdn.example/x.png"><link href="//fonts.example/f.css">'
        '<a href="javascript:void(0)">x</a><style>p{}</style>'
        '<img srcset="/a.png 1x, http://evil.example/b.png 2x">'
    )
    good = (
        '<script src="/static/pages.js"></script><script type="application/json" id="d">{}'
        '</script><img src="data:image/svg+xml;base64,AA" alt=""><a href="/home">home</a>'
    )
    assert len(audit(bad).problems) == 8
    assert audit(good).problems == []
    assert audit(good).links == ["/home"]


@pytest.mark.parametrize("template", PAGE_TEMPLATES, ids=lambda p: str(p.relative_to(SRC)))
def test_page_templates_hold_no_inline_code_style_or_other_host(template: Path) -> None:
    assert audit(template.read_text(encoding="utf-8"), is_template=True).problems == []


def test_print_templates_make_the_pdf_renderer_fetch_nothing_from_another_host() -> None:
    problems = []
    for template in PRINT_TEMPLATES:
        text = template.read_text(encoding="utf-8")
        found = [u for u in CSS_URL.findall(text) if is_external(u)]
        found += [f"{tag} {u}" for tag, u in _url_attributes(text) if is_external(u)]
        problems += [f"{template.name}: {item}" for item in found]
    assert PRINT_TEMPLATES
    assert problems == []


def _url_attributes(html: str) -> list[tuple[str, str]]:
    return re.findall(r"""\b(src|href|action)\s*=\s*["']([^"']*)""", html)


def test_stylesheets_load_nothing_from_another_host() -> None:
    sheets = sorted(STATIC.rglob("*.css"))
    problems = [
        f"{sheet.relative_to(STATIC)}: {url}"
        for sheet in sheets
        for url in CSS_URL.findall(sheet.read_text(encoding="utf-8"))
        if not url.startswith("data:") and is_external(url)
    ]
    assert {"style.css", "swagger-ui.css"} <= {sheet.name for sheet in sheets}
    assert problems == []


def test_the_platforms_scripts_name_no_other_host() -> None:
    scripts = sorted(p for p in STATIC.rglob("*.js") if "vendor" not in p.parts)
    problems = [
        f"{script.relative_to(STATIC)}: {match}"
        for script in scripts
        for match in ABSOLUTE_URL.findall(script.read_text(encoding="utf-8"))
    ]
    assert {"charts.js", "pages.js", "swagger-init.js", "redoc-init.js"} <= {
        s.name for s in scripts
    }
    assert problems == []


def test_bundled_libraries_name_no_cdn_or_web_font_host() -> None:
    """Minified libraries name many URLs (XML namespaces, specifications): only CDN and font
    hosts are refused here; the browser test refuses every request to another host."""
    bundles = sorted((STATIC / "vendor").glob("*.js"))
    problems = [
        f"{bundle.name}: {match.group(0)}"
        for bundle in bundles
        for match in CDN_HOSTS.finditer(bundle.read_text(encoding="utf-8"))
    ]
    assert len(bundles) == 4
    assert problems == []


def _demo_usernames(settings: Settings) -> dict[Role, str]:
    engine = make_engine(settings)
    with session_scope(engine) as session:
        accounts = session.scalars(select(UserAccount).order_by(UserAccount.id)).all()
        found: dict[Role, str] = {}
        for account in accounts:
            found.setdefault(account.role, account.username)
    engine.dispose()
    return found


def _shape(url: str) -> str:
    """The kind of page a URL shows: its path and query with every number made ``#``."""
    return re.sub(r"\d+", "#", url)


def _crawl(client: TestClient, starts: list[str]) -> tuple[dict[str, list[str]], int]:
    """Problems of each HTML page reached by links from ``starts``; and the pages seen."""
    problems: dict[str, list[str]] = {}
    queue, seen = deque(starts), set(starts)
    visits: dict[str, int] = {}
    n_pages = 0
    while queue and n_pages < MAX_PAGES_PER_ROLE:
        url = queue.popleft()
        response = client.get(url)
        n_pages += 1
        found = []
        if response.status_code != 200:
            found.append(f"status {response.status_code}")
        if response.headers.get("cache-control") != "no-store":
            found.append("no Cache-Control: no-store")
        if "script-src 'self'" not in response.headers.get("content-security-policy", ""):
            found.append("no Content-Security-Policy")
        if response.headers.get("content-type", "").startswith("text/html"):
            page = audit(response.text)
            found += page.problems
            for link in page.links:
                target = urldefrag(link).url
                if not target.startswith("/") or target.startswith("//") or SKIP.search(target):
                    continue
                shape = _shape(urlsplit(target).path) + "?" + _shape(urlsplit(target).query)
                if target not in seen and visits.get(shape, 0) < VISITS_PER_SHAPE:
                    seen.add(target)
                    visits[shape] = visits.get(shape, 0) + 1
                    queue.append(target)
        if found:
            problems[url] = found
    return problems, n_pages


def test_no_served_page_of_any_role_loads_another_host_or_carries_inline_code(
    demo_settings: Settings, backend: str
) -> None:
    if backend == "postgresql":
        # a page's markup does not depend on the backend; every route's answer on PostgreSQL
        # is checked by tests/web/test_matrix.py (CI time: 1 min)
        pytest.skip("the markup is the same on every backend: SQLite suffices")
    usernames = _demo_usernames(demo_settings)
    problems: dict[str, list[str]] = {}
    n_pages: dict[str, int] = {}
    with TestClient(create_app(demo_settings)) as client:
        found, n_pages["anonymous"] = _crawl(client, ["/", "/login", "/docs", "/redoc"])
        problems |= found
        for role in Role:
            client.cookies.clear()
            logged_in(client, usernames[role], DEMO_PASSWORD)
            found, n_pages[role.value] = _crawl(client, ["/home", "/account/password"])
            problems |= {f"{role.value} {url}": value for url, value in found.items()}
    assert problems == {}
    # The walk reached beyond the home pages (reports, cockpit, item bank, accounts, audit).
    assert n_pages["district_admin"] >= 20 and n_pages["teacher"] >= 8
    assert min(n_pages.values()) >= 3
