from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.hub.builders import counts, write_json, write_xlsx
from yincai.domain.models import Item, ItemType, KnowledgePoint, KpLevel, KpPrerequisite
from yincai.errors import Invalid, RowError
from yincai.hub import service as hub_service

BANK: dict[str, Any] = {
    "subject": "数学",
    "knowledge_points": [
        {"code": "M7A", "name": "有理数", "level": "章", "grade": "七年级", "semester": "上"},
        {"code": "M7A.01", "name": "正数和负数", "level": "知识点", "parent": "M7A"},
        {"code": "M7A.02", "name": "有理数的加法", "level": "知识点", "parent": "M7A",
         "prerequisites": "M7A.01"},
    ],
    "items": [
        {"code": "I001", "type": "单选题", "stem": "$-3$ 的相反数是", "options": ["3", "-3", "1/3"],
         "answer": "A", "full_score": 3, "kps": "M7A.01"},
        {"code": "I002", "type": "多选题", "stem": "下列是负数的有", "options": "A. -1|B. 0|C. -2",
         "answer": "A,C", "full_score": 4, "kps": "M7A.01:0.6;M7A.02:0.4", "difficulty": 0.7},
        {"code": "I003", "type": "解答题", "stem": "计算 $\\frac{1}{2} + (-\\frac{1}{3})$",
         "answer": "$\\frac{1}{6}$", "full_score": 10, "kps": ["M7A.02"]},
    ],
}  # fmt: skip


def _item(session: Session, code: str) -> Item:
    return session.scalars(select(Item).where(Item.code == code)).one()


@pytest.mark.parametrize("suffix", ["json", "yaml"])
def test_json_and_yaml_banks_store_kps_prerequisites_items_and_weights(
    session: Session, tmp_path: Path, suffix: str
) -> None:
    path = tmp_path / f"bank.{suffix}"
    if suffix == "json":
        write_json(path, BANK)
    else:
        path.write_text(yaml.safe_dump(BANK, allow_unicode=True), encoding="utf-8")
    summary = hub_service.import_items(session, path=path)
    assert (summary.counts["knowledge_point"].new, summary.counts["item"].new) == (3, 3)
    chapter, addition = (
        session.scalars(select(KnowledgePoint).where(KnowledgePoint.code == code)).one()
        for code in ("M7A", "M7A.02")
    )
    assert (chapter.level, chapter.grade_level, chapter.semester) == (KpLevel.CHAPTER, 7, 1)
    assert addition.parent_id == chapter.id
    link = session.scalars(select(KpPrerequisite)).one()
    assert link.knowledge_point_id == addition.id
    first, second, third = (_item(session, code) for code in ("I001", "I002", "I003"))
    assert (first.item_type, first.options, first.answer) == (
        ItemType.SINGLE_CHOICE, ["3", "-3", "1/3"], "A",
    )  # fmt: skip
    assert (second.options, second.answer, second.difficulty) == (["-1", "0", "-2"], "AC", 0.7)
    assert sorted(tag.weight for tag in second.kps) == [0.4, 0.6]
    assert (third.item_type, third.full_score, third.stem) == (
        ItemType.ESSAY, 10, "计算 $\\frac{1}{2} + (-\\frac{1}{3})$",
    )  # fmt: skip
    assert [tag.weight for tag in third.kps] == [1.0]


def test_xlsx_bank_and_reimport_is_idempotent(session: Session, tmp_path: Path) -> None:
    kp_header = ["编码", "名称", "层级", "上级编码", "年级", "学期", "先修知识点", "学科"]
    kps = [["M7A", "有理数", "章", "", "7", "上", "", "数学"],
           ["M7A.01", "正数和负数", "知识点", "M7A", "7", "上", "", ""]]  # fmt: skip
    item_header = ["编码", "题型", "题干", "选项", "答案", "满分", "知识点"]
    items = [["I010", "判断题", "0 是正数", "", "错", 2, "M7A.01"],
             ["I011", "单选题", "最小的正整数", "A. 0\nB. 1\nC. 2", "B", 3, "M7A.01"]]  # fmt: skip
    path = write_xlsx(
        tmp_path / "bank.xlsx", {"知识点": (kp_header, kps), "题目": (item_header, items)}
    )
    hub_service.import_items(session, path=path)
    assert _item(session, "I010").answer == "错误"
    assert _item(session, "I011").options == ["0", "1", "2"]
    before = counts(session)
    assert hub_service.import_items(session, path=path).is_unchanged
    assert counts(session) == before
    fields = ["code", "name", "level", "parent", "grade", "semester", "prerequisites", "subject"]
    same = {"knowledge_points": [dict(zip(fields, row, strict=True)) for row in kps], "items": []}
    json_path = write_json(tmp_path / "same.json", same)
    summary = hub_service.import_items(session, path=json_path)
    assert summary.counts["knowledge_point"].unchanged == 2
    assert summary.counts["knowledge_point"].updated == 0


def _bad(section: str, index: int, **changes: Any) -> dict[str, Any]:
    bank = copy.deepcopy(BANK)
    bank[section][index].update(changes)
    return bank


@pytest.mark.parametrize(
    ("bank", "expected"),
    [
        (_bad("items", 0, kps="M9Z.99"),
         RowError("bank.json[items]", 1, "kps", "知识点“M9Z.99”不存在")),
        (_bad("items", 2, code="I001"),
         RowError("bank.json[items]", 3, "code", "编码与第 1 行重复")),
        (_bad("items", 0, answer="D"),
         RowError("bank.json[items]", 1, "answer", "答案“D”不在选项 A–C 中")),
        (_bad("items", 0, type="连线题"),
         RowError("bank.json[items]", 1, "type", "无法识别的题型“连线题”")),
        (_bad("items", 2, full_score=0),
         RowError("bank.json[items]", 3, "full_score", "满分须大于 0")),
        (_bad("items", 1, kps="M7A.01:0.6;M7A.02:0.6"),
         RowError("bank.json[items]", 2, "kps", "权重之和为 1.2，应为 1")),
        (_bad("knowledge_points", 1, prerequisites="M7A.02"),
         RowError("bank.json[knowledge_points]", 2, "prerequisites",
                  "先修关系成环：M7A.01 → M7A.02 → M7A.01")),
        (_bad("knowledge_points", 2, parent="M8B"),
         RowError("bank.json[knowledge_points]", 3, "parent", "上级“M8B”不存在")),
    ],
)  # fmt: skip
def test_bad_bank_entry_is_reported_and_nothing_is_written(
    session: Session, tmp_path: Path, bank: dict[str, Any], expected: RowError
) -> None:
    before = counts(session)
    with pytest.raises(Invalid) as raised:
        hub_service.import_items(session, path=write_json(tmp_path / "bank.json", bank))
    assert expected in raised.value.details
    assert len(raised.value.details) == (2 if "成环" in expected.reason else 1)
    assert counts(session) == before
