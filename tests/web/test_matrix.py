"""The authorization matrix: every route of the app × every role × an object in and out of scope.

Routes are read from ``app.routes``, so routes added later are covered automatically. A route
with a path parameter this file does not know fails the test until its resolver is registered in
``PARAMETERS`` (param name → kind of object in ``SCOPE_CASES``) or in ``UNSCOPED``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from starlette.routing import BaseRoute, Mount, Route

from tests.governance.world import ROLES, SCOPE_CASES, World
from tests.web.clients import csrf_token, logged_in, session_token
from tests.web.conftest import WorldDatabase
from yincai.app import create_app

PARAMETERS = {  # path parameter → kind of object it names
    "school_id": "school",
    "school_class_id": "class",
    "student_id": "student",
    "assessment_id": "assessment",
    "user_account_id": "account",
    "document_id": "document",
    "slips_id": "slips",
    "joint_exam_id": "joint_exam",
    "export_id": "oneroster_export",
}
UNSCOPED = {  # parameters naming no data, with a value
    "language": "en",
    "kind": "scores",
    "teacher_id": "1",  # /api/v1/teachers/{id}: staff, not students' records
    "subject_code": "W-MATH",
    "knowledge_point_id": "1",
    "item_id": "1",
    "warning_key": "missing_scores:0:0",
    "token_id": "1",  # /api/v1/tokens/{id}/revoke: district admins, within their district
    "task_id": "1",  # marking: markers and leaders named on the task (tests/marking)
    "answer_id": "1",
    "batch_id": "1",  # scans: staff who may edit the assessment's scores (tests/marking)
    "sheet_id": "1",
    "resource_id": "1",  # the resource library: teaching materials every signed-in user reads
    "lesson_plan_id": "1",  # lesson plans: the class's staff (tests/lessons)
    "conversation_id": "1",  # the assistant: the asker's and their teachers' (tests/assistant)
}
PUBLIC = {"/", "/login", "/login/two-factor", "/logout", "/lang/{language}", "/health", "/docs",
          "/docs/oauth2-redirect", "/redoc", "/openapi.json"}  # fmt: skip
# Bodies for state-changing routes, so a refusal is a scope refusal and not a missing field.
FORMS = {
    "/governance/users/{user_account_id}/active": {"is_active": "false"},
    "/governance/users/{user_account_id}/password": {"new_password": "matrix-password-1"},
    "/cockpit/warnings/acknowledge": {"key": "missing_scores:0:0", "note": ""},
    "/privacy/students/{student_id}/consent": {"purpose": "diagnosis", "action": "give"},
    "/classes/{school_class_id}/lessons": {"kp": "1"},
}
# Writes that act on the caller's own session or account only, never on a scoped object.
SELF_ONLY = {"/login", "/login/two-factor", "/logout", "/account/password",
             "/account/two-factor", "/api/governance/me/password", "/governance/users"}  # fmt: skip
SAFE = {"GET", "HEAD"}
# In scope, the walk looks for a 5xx or another object's secret in the answer. A PDF's text is
# compressed (no secret could be read in it) and each PDF is built and read in its own tests;
# the API's documentation names no data (tests/test_openapi_fuzz.py). Out of scope, every
# route is still asked. (Building them for six roles on two backends took 3 min of CI.)
NOT_ASKED_IN_SCOPE = re.compile(r"\.pdf$|^/(openapi\.json|docs|redoc)$")


@dataclass(frozen=True)
class Call:
    method: str
    path: str  # the route's template, e.g. /students/{student_id}


def _walk(routes: list[BaseRoute], prefix: str = "") -> Iterator[Call]:
    for route in routes:
        if isinstance(route, Route):
            for method in sorted(route.methods or ()):
                if method != "HEAD":
                    yield Call(method, prefix + route.path)
        elif hasattr(route, "original_router"):  # FastAPI ≥ 0.16x keeps included routers whole
            context_prefix = str(route.include_context.prefix)  # type: ignore[attr-defined]
            included = route.original_router.routes
            yield from _walk(included, prefix + context_prefix)
        elif isinstance(route, Mount) and route.path != "/static":
            yield from _walk(route.routes, prefix + route.path)


def calls(world_db: WorldDatabase) -> list[Call]:
    """Every (method, path) the app answers, however its routers are nested."""
    found = list(_walk(create_app(world_db.settings).routes))
    assert any(call.path == "/students/{student_id}" for call in found)
    return found


def _fill(path: str, values: dict[str, str]) -> str:
    return re.sub(r"{(\w+)(:\w+)?}", lambda m: values[m.group(1)], path)


def _ids(world: World, role: str, path: str, *, outside: str | None) -> dict[str, str] | None:
    """Values for the route's parameters: in scope, except ``outside`` (out of scope); None
    when the role has nothing in scope for some parameter."""
    values = {}
    for name in re.findall(r"{(\w+)", path):
        if name in UNSCOPED:
            values[name] = UNSCOPED[name]
            continue
        assert name in PARAMETERS, (
            f"register the path parameter {name!r} of {path} in tests/web/test_matrix.py"
        )
        inside, out = SCOPE_CASES[role][PARAMETERS[name]]
        key = out if name == outside else inside
        if key is None:
            return None
        values[name] = str(world[key])
    return values


def _secrets(world: World, role: str) -> list[str]:
    """The name and number of the role's out-of-scope student and of an out-of-district one."""
    keys = {SCOPE_CASES[role]["student"][1], "X9"}
    return [text for key in keys for text in world.names[key]]


def _request(client: TestClient, call: Call, url: str, token: str) -> tuple[int, str]:
    if call.method in SAFE:
        response = client.request(call.method, url, follow_redirects=False)
    else:
        response = client.request(
            call.method,
            url,
            data={**FORMS.get(call.path, {}), "csrf_token": token},
            follow_redirects=False,
        )
    return response.status_code, response.text


@pytest.mark.parametrize("role", ROLES)
def test_no_route_shows_a_role_anything_outside_its_scope(
    world_db: WorldDatabase, role: str
) -> None:
    world = world_db.world
    secrets = _secrets(world, role)
    problems = []
    n_out_of_scope = 0
    with TestClient(create_app(world_db.settings)) as client:
        logged_in(client, world.usernames[role])
        token = session_token(client)
        for call in calls(world_db):
            if call.path in SELF_ONLY or call.path.startswith("/static"):
                continue
            names = [n for n in re.findall(r"{(\w+)", call.path) if n not in UNSCOPED]
            if call.method in SAFE and not NOT_ASKED_IN_SCOPE.search(call.path):
                inside = _ids(world, role, call.path, outside=None)
                if inside is not None:
                    status, body = _request(client, call, _fill(call.path, inside), token)
                    if status >= 500 or any(secret in body for secret in secrets):
                        problems.append(f"{role} {call.method} {call.path} in scope: {status}")
            for name in names:
                values = _ids(world, role, call.path, outside=name)
                if values is None:  # nothing in scope for another parameter: use out of scope
                    values = {n: str(world[SCOPE_CASES[role][PARAMETERS[n]][1]]) for n in names}
                status, body = _request(client, call, _fill(call.path, values), token)
                n_out_of_scope += 1
                if status not in (403, 404) or any(secret in body for secret in secrets):
                    problems.append(
                        f"{role} {call.method} {call.path} out of scope ({name}): {status}"
                    )
        still_logged_in = client.get("/api/governance/me").status_code
    assert problems == []
    assert n_out_of_scope >= 6  # the walk did reach the scoped routes
    assert still_logged_in == 200  # no route in the walk ended the session unnoticed


def test_every_route_but_the_public_ones_needs_a_login(world_db: WorldDatabase) -> None:
    world = world_db.world
    problems = []
    with TestClient(create_app(world_db.settings)) as client:
        token = csrf_token(client)
        for call in calls(world_db):
            if call.path in PUBLIC or call.path.startswith("/static"):
                continue
            values = _ids(world, "district_admin", call.path, outside=None) or {}
            status, body = _request(client, call, _fill(call.path, values), token)
            if status not in (401, 303) or any(s in body for s in _secrets(world, "teacher")):
                problems.append(f"anonymous {call.method} {call.path}: {status}")
    assert problems == []
