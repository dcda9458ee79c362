"""Curricula and item banks written as YAML by a teacher: file order is teaching order, grade and
semester come from the parent, every bad entry is reported by entry and field, nothing is written
unless all is well, and importing the same file again changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tests.hub.builders import counts
from yincai.config import Settings
from yincai.db import make_engine, session_scope
from yincai.domain.models import Item, KnowledgePoint, KpLevel, KpPrerequisite
from yincai.errors import Invalid, RowError
from yincai.hub import cli as hub_cli
from yincai.hub import service as hub_service

BANK = r"""
# 七年级数学（节选）
subject: 数学
knowledge_points:
  - {code: M, name: 初中数学, level: 学科}
  - {code: M7A.01, name: 有理数, level: 章, parent: M, grade: 7, semester: 上}
  - {code: M7A.01.01, name: 正数和负数, level: 节, parent: M7A.01}
  - {code: M7A.01.01.01, name: 正数和负数的概念, parent: M7A.01.01}
  - {code: M7A.01.01.02, name: 数轴, parent: M7A.01.01, prerequisites: [M7A.01.01.01]}
  - {code: M7B.05, name: 相交线与平行线, level: 章, parent: M, grade: 七年级, semester: 下}
  - {code: M7B.05.01, name: 相交线, level: 节, parent: M7B.05}
  - code: M7B.05.01.01
    name: 对顶角
    parent: M7B.05.01
    prerequisites: [M7A.01.01.02]
items:
  - code: Y001
    type: 判断题
    stem: 0 是正数。
    answer: 错
    full_score: 2
    kps: {M7A.01.01.01: 1}
  - code: Y002
    type: single_choice
    stem: $-3$ 的相反数是（　　）
    options:           # LaTeX braces inside [ ] would need quotes: a block list needs none
      - $3$
      - $-3$
      - $\frac{1}{3}$
    answer: A
    full_score: 3
    kps: {M7A.01.01.01: 0.6, M7A.01.01.02: 0.4}
  - code: Y003
    type: 解答题
    stem: |
      如图，直线 $AB$、$CD$ 相交于点 $O$，$\angle AOC=40^{\circ}$，求 $\angle BOD$。
    answer: |
      解：$\angle BOD=\angle AOC=40^{\circ}$（对顶角相等）。
    full_score: 6
    kps: [M7B.05.01.01]
    grade: 7
"""


def _write(tmp_path: Path, document: dict[str, Any] | str, name: str = "bank.yaml") -> Path:
    path = tmp_path / name
    text = document if isinstance(document, str) else yaml.safe_dump(document, allow_unicode=True)
    path.write_text(text, encoding="utf-8")
    return path


def _kp(session: Session, code: str) -> KnowledgePoint:
    return session.scalars(select(KnowledgePoint).where(KnowledgePoint.code == code)).one()


def _item(session: Session, code: str) -> Item:
    return session.scalars(select(Item).where(Item.code == code)).one()


def test_yaml_bank_keeps_file_order_and_inherits_grade_and_semester(
    session: Session, tmp_path: Path
) -> None:
    summary = hub_service.import_items(session, path=_write(tmp_path, BANK))
    assert (summary.counts["knowledge_point"].new, summary.counts["item"].new) == (8, 3)
    document = yaml.safe_load(BANK)
    codes = [entry["code"] for entry in document["knowledge_points"]]
    stored = {code: _kp(session, code) for code in codes}
    assert sorted(codes, key=lambda code: stored[code].position) == codes
    root, autumn_point, spring_point = (stored[c] for c in ("M", "M7A.01.01.02", "M7B.05.01.01"))
    assert (root.level, root.grade_level, root.semester) == (KpLevel.SUBJECT, None, None)
    assert (autumn_point.level, autumn_point.grade_level, autumn_point.semester) == (
        KpLevel.POINT, 7, 1,
    )  # fmt: skip
    assert (spring_point.grade_level, spring_point.semester) == (7, 2)
    assert stored["M7B.05.01"].parent_id == stored["M7B.05"].id
    links = {
        (k.knowledge_point_id, k.prerequisite_id) for k in session.scalars(select(KpPrerequisite))
    }
    assert (spring_point.id, autumn_point.id) in links
    judge, choice, proof = (_item(session, code) for code in ("Y001", "Y002", "Y003"))
    assert (judge.answer, judge.full_score) == ("错误", 2)
    assert (choice.options, choice.answer) == (["$3$", "$-3$", "$\\frac{1}{3}$"], "A")
    assert sorted((t.knowledge_point_id, t.weight) for t in choice.kps) == [
        (stored["M7A.01.01.01"].id, 0.6), (stored["M7A.01.01.02"].id, 0.4),
    ]  # fmt: skip
    assert proof.stem.startswith("如图") and proof.answer.endswith("（对顶角相等）。")
    assert [(t.knowledge_point_id, t.weight) for t in proof.kps] == [(spring_point.id, 1.0)]


def test_importing_the_same_yaml_again_changes_nothing_and_an_edit_changes_one_entry(
    session: Session, tmp_path: Path
) -> None:
    path = _write(tmp_path, BANK)
    hub_service.import_items(session, path=path)
    before = counts(session)
    assert hub_service.import_items(session, path=path).is_unchanged
    assert counts(session) == before
    edited = yaml.safe_load(BANK)
    edited["knowledge_points"][4]["name"] = "数轴的三要素"
    summary = hub_service.import_items(session, path=_write(tmp_path, edited, "edited.yml"))
    assert summary.counts["knowledge_point"].updated == 1
    assert summary.counts["knowledge_point"].unchanged == 7
    assert summary.counts["item"].unchanged == 3
    assert _kp(session, "M7A.01.01.02").name == "数轴的三要素"


def _bad(section: str, index: int, **changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(BANK)
    document[section][index].update(changes)
    return document


def _renamed_key(section: str, index: int, old: str, new: str) -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(BANK)
    entry = document[section][index]
    entry[new] = entry.pop(old)
    return document


KPS, ITEMS = "bank.yaml[knowledge_points]", "bank.yaml[items]"


def _line(text: str, section: str, entry: int | None) -> int:
    """The line of a top-level key, or where entry ``entry`` (1-based) of its list starts, in a
    document written by ``yaml.safe_dump`` (entries start with "- " at the margin)."""
    lines = text.splitlines()
    start = next(k for k, line in enumerate(lines) if line.startswith(f"{section}:"))
    if entry is None:
        return start + 1
    starts = []
    for k in range(start + 1, len(lines)):
        if lines[k] and not lines[k].startswith(("-", " ")):
            break  # the next top-level key (blank lines may sit inside a quoted scalar)
        if lines[k].startswith("- "):
            starts.append(k + 1)
    return starts[entry - 1]


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        (_bad("knowledge_points", 3, name=None), RowError(KPS, 4, "name", "不能为空")),
        (_bad("knowledge_points", 2, level="单元"), RowError(KPS, 3, "level", "层级")),
        (_bad("knowledge_points", 1, grade="十三年级"), RowError(KPS, 2, "grade", "十三年级")),
        (_bad("knowledge_points", 5, semester="秋"), RowError(KPS, 6, "semester", "学期应为")),
        (_bad("knowledge_points", 4, parent="M7A.09"),
         RowError(KPS, 5, "parent", "上级“M7A.09”不存在")),
        (_bad("knowledge_points", 4, prerequisites=["M7A.01.01.09"]),
         RowError(KPS, 5, "prerequisites", "先修知识点“M7A.01.01.09”不存在")),
        (_bad("knowledge_points", 4, prerequisites=["M7A.01.01.02"]),
         RowError(KPS, 5, "prerequisites", "不能以自身为先修")),
        (_bad("knowledge_points", 4, code="M7A.01.01.01"), RowError(KPS, 5, "code", "编码与第")),
        (_renamed_key("knowledge_points", 4, "prerequisites", "prerequisite"),
         RowError(KPS, 5, "prerequisite", "未知的字段")),
        (_bad("items", 0, answer="也许"), RowError(ITEMS, 1, "answer", "应为 对/错")),
        (_bad("items", 1, answer="D"), RowError(ITEMS, 2, "answer", "不在选项 A–C 中")),
        (_bad("items", 1, stem=""), RowError(ITEMS, 2, "stem", "不能为空")),
        (_bad("items", 1, type="连线题"), RowError(ITEMS, 2, "type", "无法识别的题型")),
        (_bad("items", 2, full_score=-6), RowError(ITEMS, 3, "full_score", "满分须大于 0")),
        (_bad("items", 1, kps={"M7A.01.01.01": 0.6, "M7A.01.01.02": 0.6}),
         RowError(ITEMS, 2, "kps", "权重之和为 1.2")),
        (_bad("items", 2, kps=["M9Z.99"]), RowError(ITEMS, 3, "kps", "知识点“M9Z.99”不存在")),
        (_renamed_key("items", 0, "stem", "题面"), RowError(ITEMS, 1, "题面", "未知的字段")),
        ({**yaml.safe_load(BANK), "knowlege_points": []},
         RowError("bank.yaml", 1, "knowlege_points", "未知的键")),
        ({**yaml.safe_load(BANK), "items": "Y001"}, RowError("bank.yaml", 1, "items", "应为列表")),
        ({**yaml.safe_load(BANK), "items": [*yaml.safe_load(BANK)["items"], "Y004"]},
         RowError(ITEMS, 4, "", "应为对象")),
    ],
)  # fmt: skip
def test_a_bad_yaml_entry_is_reported_by_line_and_field_and_nothing_is_written(
    session: Session, tmp_path: Path, document: dict[str, Any], expected: RowError
) -> None:
    """``expected.row`` is the entry's number in its list (or 1 for a top-level key): the error
    names the line where that entry (or key) is in the file."""
    path = _write(tmp_path, document)
    section = expected.file.removeprefix("bank.yaml").strip("[]")
    text = path.read_text(encoding="utf-8")
    line = _line(text, section, expected.row) if section else _line(text, expected.column, None)
    before = counts(session)
    with pytest.raises(Invalid) as raised:
        hub_service.import_items(session, path=path)
    found = [
        error
        for error in raised.value.details
        if (error.file, error.row, error.column) == (expected.file, line, expected.column)
    ]
    assert found, (line, raised.value.details)
    assert expected.reason in found[0].reason
    assert "未导入任何数据" in raised.value.message
    assert counts(session) == before


def test_errors_name_the_line_of_the_entry_in_a_hand_written_file(
    session: Session, tmp_path: Path
) -> None:
    text = (
        "subject: 数学\n"  # line 1
        "knowledge_points:\n"
        "  - {code: K1, name: 数轴, grade: 7, semester: 上}\n"  # line 3
        "  - code: K2\n"  # line 4
        "    name: 相反数\n"
        "    prerequisites: [K9]\n"
        "  - {code: K1, name: 绝对值}\n"  # line 7
    )
    with pytest.raises(Invalid) as raised:
        hub_service.import_items(session, path=_write(tmp_path, text))
    assert sorted(raised.value.details, key=lambda error: error.row) == [
        RowError("bank.yaml[knowledge_points]", 4, "prerequisites",
                 "先修知识点“K9”不存在"),
        RowError("bank.yaml[knowledge_points]", 7, "code", "编码与第 3 行重复"),
    ]  # fmt: skip


def test_yaml_that_does_not_parse_is_refused_with_a_message(
    session: Session, tmp_path: Path
) -> None:
    before = counts(session)
    with pytest.raises(Invalid, match="无法解析"):
        hub_service.import_items(
            session, path=_write(tmp_path, "knowledge_points: [\n  - {code: M")
        )
    assert counts(session) == before


def test_cli_imports_a_yml_bank_and_reports_an_unchanged_second_run(
    make_database: Callable[[], Settings], tmp_path: Path
) -> None:
    settings = make_database()
    path = _write(tmp_path, BANK, "bank.yml")
    runner = CliRunner()
    first = runner.invoke(hub_cli.app, ["items", str(path)], obj=settings)
    second = runner.invoke(hub_cli.app, ["items", str(path)], obj=settings)
    assert first.exit_code == 0, first.output
    assert second.exit_code == 0, second.output
    assert "知识点" in first.output and "题目" in first.output
    assert "无变化" in second.output or "unchanged" in second.output
    engine = make_engine(settings)
    with session_scope(engine) as session:
        assert counts(session)["item"] == 3
    engine.dispose()


def test_the_documented_example_imports(session: Session, tmp_path: Path) -> None:
    guide = Path(__file__).parents[2] / "docs" / "content-format.md"
    example = guide.read_text(encoding="utf-8").split("```yaml\n", 1)[1].split("```", 1)[0]
    summary = hub_service.import_items(session, path=_write(tmp_path, example))
    assert (summary.counts["knowledge_point"].new, summary.counts["item"].new) == (5, 3)
    assert _item(session, "Y001").answer == "错误"
