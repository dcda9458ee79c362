"""The OpenAPI document describes every JSON answer: no route answers a bare object."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from yincai.app import create_app
from yincai.config import Settings

Schema = dict[str, Any]


@pytest.fixture(scope="module")
def openapi(tmp_path_factory: pytest.TempPathFactory) -> Schema:
    app = create_app(Settings(data_dir=Path(tmp_path_factory.mktemp("openapi"))))
    document: Schema = app.openapi()
    return document


def _resolve(schema: Schema, document: Schema) -> Schema:
    while "$ref" in schema:
        name = schema["$ref"].removeprefix("#/components/schemas/")
        schema = document["components"]["schemas"][name]
    return schema


def _bare_objects(schema: Schema, document: Schema, where: str, seen: set[str]) -> list[str]:
    """Where in ``schema`` an object has no properties and no typed values (``dict[str, Any]``)."""
    if "$ref" in schema:
        if schema["$ref"] in seen:
            return []
        seen = seen | {schema["$ref"]}
    schema = _resolve(schema, document)
    if not schema:  # ``Any``: no schema at all
        return [where]
    found: list[str] = []
    if schema.get("type") == "object":
        values = schema.get("additionalProperties")
        if not schema.get("properties") and (values is None or values is True or values == {}):
            found.append(where)
        if isinstance(values, dict) and values:
            found += _bare_objects(values, document, f"{where}{{}}", seen)
    for name, inner in schema.get("properties", {}).items():
        found += _bare_objects(inner, document, f"{where}.{name}", seen)
    if isinstance(schema.get("items"), dict):
        found += _bare_objects(schema["items"], document, f"{where}[]", seen)
    for key in ("anyOf", "oneOf", "allOf"):
        for inner in schema.get(key, []):
            found += _bare_objects(inner, document, where, seen)
    return found


def _json_answers(document: Schema) -> list[tuple[str, Schema]]:
    answers = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for status, response in operation.get("responses", {}).items():
                content = response.get("content", {}).get("application/json")
                if status.startswith("2") and content is not None:
                    answers.append((f"{method.upper()} {path} {status}", content["schema"]))
    return answers


def test_every_json_answer_has_a_schema_with_named_fields(openapi: Schema) -> None:
    answers = _json_answers(openapi)
    assert any(name.startswith("GET /api/analysis/") for name, _ in answers)
    assert len(answers) >= 10  # the walk found the JSON API
    bare = [
        f"{name}: {where}"
        for name, schema in answers
        for where in _bare_objects(schema, openapi, "body", set())
    ]
    assert bare == []


def test_the_reports_answers_are_documented_field_by_field(openapi: Schema) -> None:
    exam = _resolve(
        openapi["paths"]["/api/analysis/assessments/{assessment_id}/report"]["get"]["responses"][
            "200"
        ]["content"]["application/json"]["schema"],
        openapi,
    )
    assert {"summary", "score_bands", "items", "knowledge", "progress"} <= set(exam["properties"])
    student = openapi["paths"]["/api/analysis/students/{student_id}/assessments/{assessment_id}"]
    copies = student["get"]["responses"]["200"]["content"]["application/json"]["schema"]["anyOf"]
    fields = [set(_resolve(copy, openapi)["properties"]) for copy in copies]
    assert any("ranks" in names for names in fields)  # the teacher's copy
    assert any("ranks" not in names for names in fields)  # the family copy has no rank at all


def test_the_check_catches_a_bare_object() -> None:
    document: Schema = {"components": {"schemas": {}}}
    assert _bare_objects({"type": "object", "additionalProperties": True}, document, "b", set())
    assert _bare_objects({}, document, "b", set())
    assert not _bare_objects(
        {"type": "object", "additionalProperties": {"type": "integer"}}, document, "b", set()
    )
