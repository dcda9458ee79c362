"""Every action code the code base audits has words, so the audit page never shows a raw code."""

from __future__ import annotations

import ast
import re
import typing
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

import yincai
from yincai.analysis.pages import Copy
from yincai.governance import service as governance_service
from yincai.governance.actions import ACTIONS, action_words, object_type_words

SOURCES = Path(yincai.__file__).parent
AUDITING_CALLS = {"audit", "_audit", "audit_exam", "audit_import", "record_denial"}
CODE = re.compile(r"^[a-z]+(_[a-z]+)+$|^login$")


def _strings(node: ast.AST) -> list[str]:
    """The codes an expression can evaluate to (f-strings: each copy audience filled in)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _strings(node.body) + _strings(node.orelse)
    if isinstance(node, ast.JoinedStr):
        head = "".join(
            part.value
            for part in node.values
            if isinstance(part, ast.Constant) and isinstance(part.value, str)
        )
        return [head + audience for audience in typing.get_args(Copy)]
    return []


def audited_codes() -> set[str]:
    """Action codes in the sources: the ``action`` of every auditing call, positional codes
    passed to the pages' helpers, and values assigned to a variable named ``action``."""
    found: set[str] = set()
    for path in SOURCES.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
                if name not in AUDITING_CALLS:
                    continue
                for keyword in node.keywords:
                    if keyword.arg == "action":
                        found.update(_strings(keyword.value))
                for argument in node.args:
                    found.update(s for s in _strings(argument) if CODE.fullmatch(s))
            elif isinstance(node, ast.Assign) and any(
                isinstance(target, ast.Name) and target.id == "action" for target in node.targets
            ):
                found.update(s for s in _strings(node.value) if CODE.fullmatch(s))
    return found


def test_every_action_code_written_anywhere_has_words() -> None:
    codes = audited_codes()
    assert {"view_student", "warnings_view", "access_denied", "import_commit"} <= codes
    assert "student_report_view_family" in codes  # f-strings are expanded
    assert len(codes) >= 20  # the walk did find the auditing calls
    assert sorted(codes - set(ACTIONS)) == []


def test_every_word_is_chinese_with_an_english_translation() -> None:
    for code in ACTIONS:
        english = action_words(code, "en")
        assert re.search(r"[\u4e00-\u9fff]", action_words(code)), code
        assert english.isascii() and english, code
    assert action_words("view_student") == "查看学生档案"
    assert action_words("view_student", "en") == "viewed a student's profile"
    assert object_type_words("import_roster") == "导入文件"


def test_audit_refuses_an_action_without_words(session: Session) -> None:
    with pytest.raises(ValueError, match="no words"):
        governance_service.audit(
            session, actor=None, action="peeked", object_type="student", object_id=1
        )
