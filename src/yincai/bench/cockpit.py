"""Cockpit benchmarks on a built demo district (``yincai --data-dir DIR bench cockpit``).

- ``early-warnings``: the warnings against the demo's planted cases (declining students, chronic
  absentees, underperforming classes, widening-gap schools, a class missing from one exam):
  recall, precision and count per kind and overall;
- ``<page>-p95``: the platform served by uvicorn in a subprocess and, for each page of
  ``page_list`` (every role's everyday pages: class reports, homes, the cockpit and its
  warnings, a district-wide report, the student's own page), ``N_USERS`` concurrent users of
  that role requesting it; target p95 ≤ 300 ms each. A user reads each page before asking
  for the next: a think time drawn from an exponential distribution of mean ``THINK_S``
  (5 s; load-testing tools use 3–10 s, TPC-W 7 s). ``think_s=0`` is a stress test instead:
  50 requests always in flight, whose latency is 50 × the server's time per request.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from yincai.accounts.actors import BENCHMARK
from yincai.accounts.models import Role, UserAccount
from yincai.cli_support import prepared_engine
from yincai.cockpit import service as cockpit_service
from yincai.cockpit.detection import EarlyWarning, WarningKind
from yincai.config import Settings
from yincai.demo.build import DEMO_PASSWORD
from yincai.demo.truth import load_ground_truth
from yincai.domain.models import (
    Assessment,
    AssessmentClass,
    AssessmentKind,
    School,
    SchoolClass,
    Student,
    TeachingAssignment,
)

N_USERS = 50
THINK_S = 5.0  # mean time a user reads a page before the next request
IDLE_RECONNECT_S = 4.0  # uvicorn closes a keep-alive connection idle for 5 s
N_REQUESTS = 2000  # in all, spread over the users
N_WARM_REQUESTS = 200  # first, unmeasured and without think time: every process fills its caches
TIME_LIMIT_S = 60.0  # per page, whatever is done by then is measured
TARGET_P95_MS = 300.0
START_TIMEOUT_S = 240.0  # a busy two-core machine takes over a minute to spawn the workers
DRAIN_TIMEOUT_S = 300.0
CLIENT_TIMEOUT_S = 2 * DRAIN_TIMEOUT_S + 2 * TIME_LIMIT_S
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def _labels(session: Session, warning: EarlyWarning, exam_round: dict[int, int]) -> str | None:
    """The warning in the ground truth's terms: a student number, "SCHOOL/班级", a school code
    or "exam index|SCHOOL/班级"."""
    subject = warning.subject
    if subject.student_id is not None:
        return session.scalar(
            select(Student.student_number).where(Student.id == subject.student_id)
        )
    school_code = session.scalar(select(School.code).where(School.id == subject.school_id))
    if subject.school_class_id is None:
        return school_code
    class_name = session.scalar(
        select(SchoolClass.name).where(SchoolClass.id == subject.school_class_id)
    )
    label = f"{school_code}/{class_name}"
    if subject.assessment_id is not None:
        return f"{exam_round[subject.assessment_id]}|{label}"
    return label


def _score(case: str, kind: str, found: set[str], planted: set[str]) -> dict[str, Any]:
    hits = len(found & planted)
    return {
        "suite": "cockpit",
        "case": case,
        "kind": kind,
        "metrics": {
            "recall": round(hits / len(planted), 3) if planted else None,
            "precision": round(hits / len(found), 3) if found else None,
            "n_warnings": len(found),
            "n_planted": len(planted),
        },
    }


def run_warnings(data_dir: Path, *, is_sensitive: bool = False) -> list[dict[str, Any]]:
    """Recall and precision of the warnings against the planted cases, per kind and overall
    (case ``early-warnings``, or ``early-warnings-sensitive`` with the sensitive limits)."""
    case = "early-warnings-sensitive" if is_sensitive else "early-warnings"
    settings = Settings(data_dir=data_dir)
    truth = load_ground_truth(settings.ground_truth_path)
    engine = prepared_engine(settings)
    try:
        with Session(engine) as session:
            started = time.perf_counter()
            warnings = cockpit_service.early_warnings(
                session, actor=BENCHMARK, is_sensitive=is_sensitive
            )
            seconds = time.perf_counter() - started
            exam_round = _exam_rounds(session)
            found: dict[str, set[str]] = {kind.value: set() for kind in WarningKind}
            for warning in warnings:
                label = _labels(session, warning, exam_round)
                if label is not None:
                    found[warning.kind.value].add(label)
            session.rollback()  # the audit row of the run is not kept
    finally:
        engine.dispose()
    planted = {
        WarningKind.DECLINING_STUDENT.value: set(truth.declining_students),
        WarningKind.CHRONIC_ABSENCE.value: set(truth.chronic_absentees),
        WarningKind.UNDERPERFORMING_CLASS.value: set(truth.underperforming_classes),
        WarningKind.WIDENING_GAP.value: set(truth.widening_gap_schools),
        WarningKind.MISSING_SCORES.value: {f"{e}|{c}" for e, c in truth.missing_class_exams},
    }
    rows = [_score(case, kind, found[kind], planted[kind]) for kind in found]
    every_found = {f"{kind}:{label}" for kind, labels in found.items() for label in labels}
    every_planted = {f"{kind}:{label}" for kind, labels in planted.items() for label in labels}
    overall = _score(case, "all", every_found, every_planted)
    overall["metrics"]["seconds"] = round(seconds, 2)
    overall["metrics"]["n_students"] = len(truth.student_numbers)
    return [*rows, overall]


def _exam_rounds(session: Session) -> dict[int, int]:
    """Exam index 0..3 of each assessment (its order within its grade), as the truth counts."""
    rows = session.execute(
        select(Assessment.id, Assessment.grade_level)
        .where(Assessment.kind == AssessmentKind.EXAM)
        .order_by(Assessment.grade_level, Assessment.held_on, Assessment.code)
    ).all()
    out: dict[int, int] = {}
    seen: dict[int, int] = {}
    for assessment_id, grade in rows:
        seen[grade] = seen.get(grade, -1) + 1
        out[assessment_id] = seen[grade]
    return out


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def _server(data_dir: Path) -> Iterator[str]:
    """The platform on a free local port in a subprocess; its base URL."""
    port = _free_port()
    command = [
        sys.executable,
        "-c",
        "from yincai.cli import app; app()",
        "--data-dir",
        str(data_dir),
        "serve",
        "--port",
        str(port),
    ]
    process = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "YINCAI_SECRET_KEY": os.urandom(16).hex()},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the server stopped: {process.stderr.read()!r}")  # type: ignore[union-attr]
            with contextlib.suppress(OSError):
                probe = _Browser(base)
                try:
                    if probe.request("GET", "/health")[0] == 200:
                        break
                finally:
                    probe.close()
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not start in time")
            time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


class _Browser:
    """A logged-in visitor over one keep-alive connection, with its cookies (standard library
    only, so the benchmark needs nothing beyond the platform's own dependencies)."""

    def __init__(
        self, base: str, cookies: dict[str, str] | None = None, *, timeout: float = 30.0
    ) -> None:
        address = urlsplit(base)
        self.connection = http.client.HTTPConnection(
            address.hostname or "127.0.0.1", address.port, timeout=timeout
        )
        self.cookies = dict(cookies or {})

    def request(
        self, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[int, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie(header)
            self.cookies |= {name: morsel.value for name, morsel in cookie.items()}
        return response.status, text

    def close(self) -> None:
        self.connection.close()


def _login(base: str, username: str) -> dict[str, str]:
    """The session cookies of a demo login."""
    browser = _Browser(base)
    try:
        token = TOKEN.search(browser.request("GET", "/login")[1])
        if token is None:
            raise RuntimeError("no CSRF token on /login")
        form = {"username": username, "password": DEMO_PASSWORD, "csrf_token": token[1]}
        status, _ = browser.request("POST", "/login", form)
        if status != 303:
            raise RuntimeError(f"the demo login {username} could not log in: {status}")
        return browser.cookies
    finally:
        browser.close()


@dataclass
class _Load:
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)


def _fire(base: str, cookies: dict[str, str], target: list[str], think_s: float) -> _Load:
    """``N_USERS`` threads share one login and request the pages in turn, each on its own
    keep-alive connection: ``N_WARM_REQUESTS`` unmeasured (so that the first-call caches of
    every server process do not count), then ``N_REQUESTS`` or ``TIME_LIMIT_S``, measured."""
    warm = _Browser(base, cookies, timeout=DRAIN_TIMEOUT_S)  # waits out an earlier backlog
    for path in target:
        status, _ = warm.request("GET", path)
        if status != 200:
            raise RuntimeError(f"{path} answered {status}")
    warm.close()
    _users(base, cookies, target, N_WARM_REQUESTS, think_s=0.0)
    return _users(base, cookies, target, N_REQUESTS, think_s=think_s)


def _users(
    base: str, cookies: dict[str, str], target: list[str], n_requests: int, *, think_s: float
) -> _Load:
    load = _Load()
    lock = threading.Lock()
    counter = iter(range(n_requests))
    deadline = time.monotonic() + TIME_LIMIT_S

    def user(seed: int) -> None:
        # A timed-out request would stay queued in the server while its user sends the next:
        # users wait as long as it takes, so the load never exceeds N_USERS requests in flight.
        visitor = _Browser(base, cookies, timeout=DRAIN_TIMEOUT_S)
        rng = np.random.default_rng(seed)
        if think_s > 0:  # users arrive spread over one think time, not all at once
            time.sleep(rng.uniform(0.0, think_s))
        while time.monotonic() < deadline:
            with lock:
                k = next(counter, None)
            if k is None:
                break
            started = time.perf_counter()
            try:
                status, _ = visitor.request("GET", target[k % len(target)])
                outcome = "ok" if status == 200 else str(status)
            except OSError as error:  # timeouts and resets count as errors, then reconnect
                outcome = type(error).__name__
                visitor.close()
                visitor = _Browser(base, cookies, timeout=DRAIN_TIMEOUT_S)
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                load.latencies.append(elapsed)
                if outcome != "ok":
                    load.errors[outcome] = load.errors.get(outcome, 0) + 1
            if think_s > 0:
                pause = min(rng.exponential(think_s), deadline - time.monotonic(), 10 * think_s)
                time.sleep(max(pause, 0.0))
                if pause >= IDLE_RECONNECT_S:  # the server has closed the idle connection:
                    visitor.close()  # a browser opens a new one (its set-up is measured too)
                    visitor = _Browser(base, cookies, timeout=DRAIN_TIMEOUT_S)
        visitor.close()

    threads = [threading.Thread(target=user, args=(seed,)) for seed in range(N_USERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return load


def _row(case: str, page: str, load: _Load, think_s: float) -> dict[str, Any]:
    values = np.array(load.latencies)
    p95 = float(np.percentile(values, 95)) if values.size else float("nan")
    return {
        "suite": "web",
        "case": case,
        "metrics": {
            "p50_ms": round(float(np.percentile(values, 50)), 1) if values.size else None,
            "p95_ms": round(p95, 1),
            "users": N_USERS,
            "think_s": think_s,
            "n_requests": int(values.size),
            "n_errors": sum(load.errors.values()),
            "errors": load.errors,
            "page": page,
            "target_p95_ms": TARGET_P95_MS,
            "meets_target": bool(p95 <= TARGET_P95_MS),
        },
    }


@dataclass(frozen=True)
class PageTarget:
    """One measured page: the role that opens it and the paths requested in turn (e.g. the
    report of each exam of a class)."""

    case: str
    role: Role
    paths: list[str]


def run_latency(
    data_dir: Path, pages: list[PageTarget] | None = None, *, think_s: float = THINK_S
) -> list[dict[str, Any]]:
    """p50/p95 under ``N_USERS`` concurrent users of each page of ``pages`` (by default
    ``page_list``: every role's everyday pages, the cockpit included), each page apart, each
    user pausing a think time of mean ``think_s`` between requests."""
    pages = page_list(data_dir) if pages is None else pages
    rows = []
    with _server(data_dir) as base:
        logins: dict[Role, dict[str, str]] = {}
        for page in pages:
            if page.role not in logins:
                logins[page.role] = _login(base, _username(data_dir, page.role))
            load = _fire_apart(base, logins[page.role], page.paths, think_s)
            rows.append(_row(page.case, page.paths[0].split("?")[0], load, think_s))
    return rows


def _username(data_dir: Path, role: Role) -> str:
    """The demo login of ``role`` (the first account of the role)."""
    engine = prepared_engine(Settings(data_dir=data_dir))
    try:
        with Session(engine) as session:
            username = session.scalar(
                select(UserAccount.username)
                .where(UserAccount.role == role)
                .order_by(UserAccount.id)
                .limit(1)
            )
    finally:
        engine.dispose()
    if username is None:
        raise RuntimeError(f"the demo has no {role.value} login")
    return username


def page_list(data_dir: Path) -> list[PageTarget]:
    """Every role's everyday pages on the demo: the teacher's class reports, their sections
    (成绩单, 分数线, 讲评), the class page, heatmap and homework, the school and district homes, the
    cockpit and its warnings, district-wide exam and joint-exam reports, and the student's and
    parent's own pages."""
    engine = prepared_engine(Settings(data_dir=data_dir))
    try:
        with Session(engine) as session:
            accounts = {
                role: session.execute(
                    select(UserAccount).where(UserAccount.role == role).order_by(UserAccount.id)
                )
                .scalars()
                .first()
                for role in Role
            }
            teacher = accounts[Role.TEACHER]
            student = accounts[Role.STUDENT]
            assert teacher is not None and student is not None
            class_id = session.scalar(
                select(TeachingAssignment.school_class_id)
                .where(TeachingAssignment.teacher_id == teacher.teacher_id)
                .order_by(TeachingAssignment.school_class_id)
            )
            exams = session.scalars(
                select(AssessmentClass.assessment_id)
                .join(Assessment, Assessment.id == AssessmentClass.assessment_id)
                .where(
                    AssessmentClass.school_class_id == class_id,
                    Assessment.kind == AssessmentKind.EXAM,
                )
                .order_by(AssessmentClass.assessment_id)
            ).all()
            joints = session.scalars(
                select(Assessment.joint_exam_id)
                .where(Assessment.id.in_(exams), Assessment.joint_exam_id.is_not(None))
                .distinct()
            ).all()
    finally:
        engine.dispose()
    reports = [f"/assessments/{e}/report?school_class_id={class_id}" for e in exams]
    sections = [
        f"/assessments/{e}/report/{section}?school_class_id={class_id}"
        for e in exams
        for section in ("transcript", "lines", "review")
    ]
    own = f"/students/{student.student_id}"
    return [
        PageTarget("class-report-p95", Role.TEACHER, reports),
        PageTarget("class-page-p95", Role.TEACHER, [f"/classes/{class_id}"]),
        PageTarget("report-sections-p95", Role.TEACHER, sections),
        PageTarget("class-heatmap-p95", Role.TEACHER, [f"/classes/{class_id}/mastery"]),
        PageTarget("class-homework-p95", Role.TEACHER, [f"/classes/{class_id}/homework"]),
        PageTarget("teacher-home-p95", Role.TEACHER, ["/home"]),
        PageTarget("school-home-p95", Role.SCHOOL_ADMIN, ["/home"]),
        PageTarget("school-cockpit-p95", Role.SCHOOL_ADMIN, ["/cockpit"]),
        PageTarget("district-home-p95", Role.DISTRICT_ADMIN, ["/home"]),
        PageTarget("cockpit-p95", Role.DISTRICT_ADMIN, ["/cockpit"]),
        PageTarget("warnings-p95", Role.DISTRICT_ADMIN, ["/cockpit/warnings"]),
        PageTarget(
            "district-report-p95", Role.DISTRICT_ADMIN, [f"/assessments/{e}/report" for e in exams]
        ),
        PageTarget(
            "joint-report-p95", Role.DISTRICT_ADMIN, [f"/joint-exams/{j}/report" for j in joints]
        ),
        PageTarget("student-page-p95", Role.STUDENT, [own]),
        PageTarget("student-growth-p95", Role.STUDENT, [f"{own}/growth"]),
        PageTarget("parent-page-p95", Role.PARENT, [own]),
    ]


def _fire_apart(base: str, cookies: dict[str, str], target: list[str], think_s: float) -> _Load:
    """``_fire`` in a fresh Python process: the benchmark process has run every earlier suite
    (models, PDF engines and their threads), and its leftovers slowed the users' threads (p95
    ~360 ms inside ``make bench`` against ~210 ms from a clean process, same server)."""
    request = json.dumps({"base": base, "cookies": cookies, "target": target, "think_s": think_s})
    command = [sys.executable, "-c", "from yincai.bench.cockpit import fire; fire()"]
    done = subprocess.run(
        command, input=request, capture_output=True, text=True, check=True, timeout=CLIENT_TIMEOUT_S
    )
    result = json.loads(done.stdout)
    return _Load(latencies=result["latencies"], errors=result["errors"])


def fire() -> None:
    """The load client's process: a request on stdin, the latencies and errors on stdout."""
    request = json.loads(sys.stdin.read())
    load = _fire(request["base"], request["cookies"], request["target"], request["think_s"])
    sys.stdout.write(json.dumps({"latencies": load.latencies, "errors": load.errors}))


def run(data_dir: Path, *, think_s: float = THINK_S) -> list[dict[str, Any]]:
    return [
        *run_warnings(data_dir),
        *run_warnings(data_dir, is_sensitive=True),
        *run_latency(data_dir, think_s=think_s),
    ]
