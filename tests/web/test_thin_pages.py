"""Pages and JSON routes parse, call a service and render: the rules stay in the services.

No SQL, no scope or role decision and no audit row is written in these modules, so the pages,
the API and the CLI cannot drift apart (a page may still commit the service's work once).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import yincai

SOURCES = Path(yincai.__file__).parent
THIN = [
    "analysis/pages.py",
    "analysis/learner_pages.py",
    "analysis/routes.py",
    "classroom/pages.py",
    "cockpit/pages.py",
    "cockpit/routes.py",
    "practice/pages.py",
    "homework/pages.py",
    "library/recommendation_pages.py",
    "hub/imports_pages.py",
    "hub/routes.py",
    "marking/pages.py",
    "lessons/pages.py",
]
RULES = {
    "audit",
    "require_role",
    "require_scope",
    "require_students",
    "require_score_editor",
    "visible_school_ids",
    "visible_class_ids",
    "visible_student_ids",
    "visible_assessment_ids",
}
QUERIES = {"select", "execute", "scalar", "scalars", "get", "add", "add_all", "delete"}


def _violations(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module == "sqlalchemy":
            found.append(f"imports sqlalchemy ({', '.join(a.name for a in node.names)})")
        if isinstance(node, ast.Call):
            called = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
            target = getattr(node.func, "value", None)
            if called in RULES:
                found.append(f"calls {called}")
            if called in QUERIES and isinstance(target, ast.Name) and target.id == "session":
                found.append(f"queries session.{called}")
    return found


@pytest.mark.parametrize("name", THIN)
def test_a_page_module_holds_no_sql_no_access_decision_and_no_audit(name: str) -> None:
    assert _violations((SOURCES / name).read_text(encoding="utf-8")) == []


def test_the_check_sees_a_page_that_decides_for_itself() -> None:
    source = (
        "from sqlalchemy import select\n"
        "def page(session, user):\n"
        "    governance_service.require_scope(session, actor=user, student_id=1)\n"
        "    session.scalar(select(Student.name))\n"
        "    governance_service.audit(session, actor=user, action='view_student')\n"
        "    session.commit()\n"
    )
    assert _violations(source) == [
        "imports sqlalchemy (select)",
        "calls require_scope",
        "queries session.scalar",
        "calls audit",
    ]
