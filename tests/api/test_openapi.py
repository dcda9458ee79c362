"""The OpenAPI document describes /api/v1: at least 30 read paths, each answer a named schema
with an example, tagged by resource, refusals and bad parameters as ``{code, detail, errors}``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.web.test_openapi_schemas import _bare_objects, _resolve
from yincai.app import create_app
from yincai.config import Settings

Schema = dict[str, Any]


@pytest.fixture(scope="module")
def openapi(tmp_path_factory: pytest.TempPathFactory) -> Schema:
    app = create_app(Settings(data_dir=Path(tmp_path_factory.mktemp("openapi-v1"))))
    document: Schema = app.openapi()
    return document


def _v1_json_gets(document: Schema) -> dict[str, Schema]:
    found = {}
    for path, operations in document["paths"].items():
        if not path.startswith("/api/v1/") or "get" not in operations:
            continue
        content = operations["get"]["responses"].get("200", {}).get("content", {})
        if "application/json" in content:
            found[path] = operations["get"]
    return found


def _has_example(schema: Schema, document: Schema) -> bool:
    schema = _resolve(schema, document)
    return bool(schema.get("examples") or schema.get("example"))


def test_at_least_thirty_documented_read_paths(openapi: Schema) -> None:
    gets = _v1_json_gets(openapi)
    assert len(gets) >= 30, sorted(gets)
    problems = []
    for path, operation in gets.items():
        schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
        if "$ref" not in schema:
            problems.append(f"{path}: no named schema")
        elif not _has_example(schema, openapi):
            problems.append(f"{path}: no example")
        problems += [f"{path}: bare {w}" for w in _bare_objects(schema, openapi, "body", set())]
        if not operation.get("tags"):
            problems.append(f"{path}: no tag")
        if not operation.get("description") and not operation.get("summary"):
            problems.append(f"{path}: undocumented")
    assert problems == []


def test_refusals_and_bad_parameters_are_documented_as_error_bodies(openapi: Schema) -> None:
    for path, operation in _v1_json_gets(openapi).items():
        for status in ("401", "403", "404", "422"):
            schema = operation["responses"][status]["content"]["application/json"]["schema"]
            assert set(_resolve(schema, openapi)["properties"]) >= {"code", "detail"}, (
                path,
                status,
            )


def test_lists_take_a_limit_and_a_cursor_and_answer_data_and_next_cursor(
    openapi: Schema,
) -> None:
    lists = 0
    for path, operation in _v1_json_gets(openapi).items():
        schema = _resolve(
            operation["responses"]["200"]["content"]["application/json"]["schema"], openapi
        )
        if "next_cursor" not in schema["properties"]:
            continue
        lists += 1
        assert "data" in schema["properties"], path
        names = {p["name"]: p for p in operation["parameters"]}
        assert {"limit", "cursor"} <= set(names), path
        assert names["limit"]["schema"]["maximum"] == 500
        assert names["limit"]["schema"]["default"] == 50
    assert lists >= 20


def test_the_oneroster_export_is_asked_for_followed_and_downloaded_as_a_zip(
    openapi: Schema,
) -> None:
    paths = openapi["paths"]
    asked = paths["/api/v1/exports/oneroster"]["post"]["responses"]["202"]["content"]
    schema = _resolve(asked["application/json"]["schema"], openapi)
    assert {"id", "state", "progress", "status_url", "file_url"} <= set(schema["properties"])
    assert schema.get("examples")
    old = paths["/api/v1/exports/oneroster"]["get"]["responses"]
    assert {"202", "303"} <= set(old)
    status = paths["/api/v1/exports/oneroster/{export_id}"]["get"]["responses"]["200"]
    assert "application/json" in status["content"]
    file = paths["/api/v1/exports/oneroster/{export_id}/file"]["get"]["responses"]
    assert "application/zip" in file["200"]["content"] and "409" in file
