"""Property-based fuzzing of the JSON API from its own OpenAPI document (Schemathesis), once per
role (district admin, teacher, parent): whatever they send, no operation answers with a server
error (5xx), and every answer — refusals included — has a status and a body its schema declares."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.core.failures import FailureGroup

from tests.governance.world import build_world
from tests.web.clients import logged_in, session_token
from yincai.app import create_app
from yincai.config import Settings
from yincai.db import make_engine, session_scope

MAX_EXAMPLES = 20  # per operation and role: ~15 operations, about a minute per backend
ROLES = ("district_admin", "teacher", "parent")

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Login:
    cookies: dict[str, str]
    token: str


@pytest.fixture(scope="module")
def fuzzed(
    make_module_database: Callable[[], Settings],
) -> Iterator[tuple[object, dict[str, Login]]]:
    """The app on a fresh scope world, and each role's session cookie and CSRF token."""
    database = make_module_database()
    engine = make_engine(database)
    with session_scope(engine) as session:
        world = build_world(session)
    engine.dispose()
    app = create_app(database)
    logins = {}
    for role in ROLES:
        with TestClient(app) as client:
            logged_in(client, world.usernames[role])
            logins[role] = Login(dict(client.cookies), session_token(client))
    yield app, logins


@pytest.fixture(scope="module")
def make_module_database(
    backend: str, tmp_path_factory: pytest.TempPathFactory, _schemas: list[str]
) -> Callable[[], Settings]:
    from tests.conftest import _new_settings
    from yincai.migrations import upgrade

    def make() -> Settings:
        settings = _new_settings(backend, tmp_path_factory.mktemp("fuzz"), _schemas)
        engine = make_engine(settings)
        upgrade(engine)
        engine.dispose()
        return settings

    return make


@pytest.mark.parametrize("role", ROLES)
def test_no_operation_answers_a_server_error_or_breaks_its_schema(
    fuzzed: tuple[object, dict[str, Login]], role: str
) -> None:
    app, logins = fuzzed
    login = logins[role]
    # Changing one's own password would end the session the rest of the run depends on.
    schema = schemathesis.openapi.from_asgi("/openapi.json", app).exclude(
        path="/api/governance/me/password"
    )
    failures: list[str] = []
    statuses: list[int] = []
    n_operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        n_operations += 1

        @given(case=operation.as_strategy())
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def call(case: schemathesis.Case) -> None:
            where = f"{case.method} {case.formatted_path} {case.query or ''}"
            try:
                response = case.call(cookies=login.cookies, headers={"X-CSRF-Token": login.token})
            except Exception as error:  # the test client re-raises what would be a 500
                failures.append(f"{where}: {type(error).__name__}")
                return
            statuses.append(response.status_code)
            if response.status_code >= 500:
                failures.append(f"{where}: {response.status_code}")
                return
            try:  # status declared, body valid against the declared schema
                case.validate_response(response)
            except FailureGroup as error:
                titles = "; ".join(str(e).splitlines()[0] for e in error.exceptions)
                failures.append(f"{where}: {response.status_code} {titles}")

        call()
    assert n_operations >= 10  # the walk reached the API
    assert 401 not in statuses  # every role stayed logged in
    if role == "district_admin":
        assert statuses.count(200) >= n_operations  # as an admin, not bounced
    else:
        assert 403 in statuses  # the walk met the role's limits
    assert failures == []
