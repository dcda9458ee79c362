"""Cockpit benchmarks on a built demo district (``yincai bench cockpit --data-dir DIR``).

- ``early-warnings``: the warnings against the demo's planted cases (declining students, chronic
  absentees, underperforming classes, widening-gap schools, a class missing from one exam):
  recall, precision and count per kind and overall;
- ``class-report-p95``: the platform served by uvicorn in a subprocess, a teacher logged in, and
  ``N_USERS`` concurrent users requesting the teacher's class report; target p95 ≤ 300 ms.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from yincai.cli_support import prepared_engine
from yincai.cockpit import service as cockpit_service
from yincai.cockpit.detection import EarlyWarning, WarningKind
from yincai.config import Settings
from yincai.demo.build import DEMO_PASSWORD
from yincai.demo.truth import load_ground_truth
from yincai.governance.models import Role, UserAccount
from yincai.hub.models import (
    Assessment,
    AssessmentClass,
    School,
    SchoolClass,
    Student,
    TeachingAssignment,
)

N_USERS = 50
N_REQUESTS = 1000  # in all, spread over the users
TIME_LIMIT_S = 90.0
TARGET_P95_MS = 300.0
START_TIMEOUT_S = 60.0
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
                session, actor=None, is_sensitive=is_sensitive
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
        select(Assessment.id, Assessment.grade_level).order_by(
            Assessment.grade_level, Assessment.held_on, Assessment.code
        )
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
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                    break
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


def _teacher_target(data_dir: Path) -> tuple[str, list[str]]:
    """A demo teacher's username and the class pages to request: the class report of each
    exam the class sat, when the platform has that page, else the class page."""
    engine = prepared_engine(Settings(data_dir=data_dir))
    try:
        with Session(engine) as session:
            username, teacher_id = session.execute(
                select(UserAccount.username, UserAccount.teacher_id)
                .where(UserAccount.role == Role.TEACHER)
                .order_by(UserAccount.id)
            ).first()  # type: ignore[misc]
            class_id = session.scalar(
                select(TeachingAssignment.school_class_id)
                .where(TeachingAssignment.teacher_id == teacher_id)
                .order_by(TeachingAssignment.school_class_id)
            )
            exams = session.scalars(
                select(AssessmentClass.assessment_id).where(
                    AssessmentClass.school_class_id == class_id
                )
            ).all()
    finally:
        engine.dispose()
    reports = [f"/assessments/{e}/report?school_class_id={class_id}" for e in exams]
    return username, [*reports, f"/classes/{class_id}"]


async def _fire(base: str, username: str, paths: list[str]) -> tuple[str, list[float], int]:
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        token = TOKEN.search((await client.get("/login")).text)
        assert token is not None, "no CSRF token on /login"
        login = await client.post(
            "/login",
            data={"username": username, "password": DEMO_PASSWORD, "csrf_token": token[1]},
        )
        login.raise_for_status()
        reports = [p for p in paths if "/report" in p]
        target = paths[-1:]
        if reports and (await client.get(reports[0])).status_code == 200:
            target = reports
        for path in target:  # warm up every page once
            (await client.get(path)).raise_for_status()
        latencies: list[float] = []
        n_errors = 0
        deadline = time.monotonic() + TIME_LIMIT_S
        queue = iter(range(N_REQUESTS))

        async def user() -> None:
            nonlocal n_errors
            for k in queue:
                if time.monotonic() > deadline:
                    return
                started = time.perf_counter()
                response = await client.get(target[k % len(target)])
                latencies.append((time.perf_counter() - started) * 1000)
                n_errors += response.status_code != 200

        await asyncio.gather(*(user() for _ in range(N_USERS)))
        return target[0].split("?")[0], latencies, n_errors


def run_latency(data_dir: Path) -> list[dict[str, Any]]:
    """p50/p95 of a teacher's class report under ``N_USERS`` concurrent users."""
    username, paths = _teacher_target(data_dir)
    with _server(data_dir) as base:
        page, latencies, n_errors = asyncio.run(_fire(base, username, paths))
    values = np.array(latencies)
    p95 = float(np.percentile(values, 95)) if values.size else float("nan")
    return [
        {
            "suite": "web",
            "case": "class-report-p95",
            "metrics": {
                "p50_ms": round(float(np.percentile(values, 50)), 1) if values.size else None,
                "p95_ms": round(p95, 1),
                "users": N_USERS,
                "n_requests": int(values.size),
                "n_errors": n_errors,
                "page": page,
                "target_p95_ms": TARGET_P95_MS,
                "meets_target": bool(p95 <= TARGET_P95_MS),
            },
        }
    ]


def run(data_dir: Path) -> list[dict[str, Any]]:
    return [
        *run_warnings(data_dir),
        *run_warnings(data_dir, is_sensitive=True),
        *run_latency(data_dir),
    ]
