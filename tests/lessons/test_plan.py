"""The pure draft: every section filled from the context, the figures table, the states of
sections (machine, model, teacher) and the plan's JSON round trip."""

from __future__ import annotations

from datetime import UTC, date, datetime

from yincai.lessons.exercises import Relation
from yincai.lessons.plan import (
    SECTION_KEYS,
    BankItem,
    LessonPlan,
    Note,
    Origin,
    PointContext,
    PointRef,
    PointState,
    draft,
    edited,
    figure_rows,
)

POINT = PointRef(1, "M7.01", "绝对值")
PREREQUISITE = PointRef(2, "M7.00", "相反数")


def _item(
    item_id: int, success: float, relation: Relation = Relation.POINT, **more: object
) -> BankItem:
    kp = POINT if relation is Relation.POINT else PREREQUISITE
    values: dict[str, object] = {
        "item_id": item_id,
        "kp_id": kp.kp_id,
        "kp_name": kp.name,
        "relation": relation,
        "stem": f"第 {item_id} 题：$|-{item_id}|$ 等于多少？",
        "options": (),
        "answer": str(item_id),
        "success": success,
    }
    return BankItem(**{**values, **more})  # type: ignore[arg-type]


def _context(**more: object) -> PointContext:
    values: dict[str, object] = {
        "school_class_id": 5,
        "class_name": "初一（1）班",
        "school_name": "第一中学",
        "grade_level": 7,
        "subject_code": "MATH",
        "subject_name": "数学",
        "point": POINT,
        "path": "有理数 · 绝对值",
        "state": PointState(POINT, 0.46, 12, 20, 8, 2, is_taught=True),
        "prerequisites": [PointState(PREREQUISITE, 0.41, 25, 10, 5, 2, is_taught=True)],
        "dependants": [PointRef(3, "M7.02", "有理数的大小比较")],
        "items": [
            _item(10, 0.9, n_answers=40, score_sum=30.0, wrong_answers=(("-3", 7), ("0", 2))),
            _item(11, 0.7, options=("1", "-1")),
            _item(12, 0.5),
            _item(13, 0.3),
            _item(14, 0.2),
            _item(15, 0.6),
            _item(20, 0.8, Relation.PREREQUISITE),
        ],
        "note": Note(
            "LIB-M7.01",
            "绝对值",
            "> 数学 · 七年级\n\n**负数的绝对值**是它的相反数。",
            "**例 1** $|-3|=$____。\n\n答案：$3$。",
            "常见错误：把 -|-7| 算成 7。",
        ),
        "n_students": 42,
        "n_without_consent": 3,
        "has_class_data": True,
    }
    return PointContext(**{**values, **more})  # type: ignore[arg-type]


def test_every_section_is_drafted_from_the_context_and_marked_as_the_machine_s() -> None:
    plan = draft(_context(), drafted_on=date(2026, 12, 3), language="zh")
    assert [s.key for s in plan.sections] == list(SECTION_KEYS)
    assert all(s.text.strip() and s.origin is Origin.DATA for s in plan.sections)
    assert plan.n_unconfirmed == len(SECTION_KEYS)
    assert "负数的绝对值是它的相反数" in plan.section("objectives").text
    class_data = plan.section("class_data").text
    assert "需要巩固 12 人" in class_data and "0.46" in class_data
    assert "先修「相反数」：平均掌握水平 0.41" in class_data and "本班薄弱" in class_data
    assert "另有 3 名学生" in class_data
    mistakes = plan.section("mistakes")
    assert mistakes.item_ids == (10,) and "-3（7 人次）" in mistakes.text
    assert "75.0%" in mistakes.text  # 30 of 40
    assert "把 -|-7| 算成 7" in mistakes.text
    assert plan.section("warm_up").item_ids == (20,)
    assert plan.section("examples").text.startswith("选自资源库《绝对值》")
    assert set(plan.section("exercises").item_ids) <= {10, 11, 12, 13, 14, 15}
    assert (
        "【基础】" in plan.section("exercises").text
        and "【拓展】" in plan.section("exercises").text
    )
    named = [i for s in plan.sections for i in s.item_ids]
    assert {i.item_id for i in plan.items} == set(named)


def test_the_figures_table_reads_the_class_s_numbers() -> None:
    plan = draft(_context(), drafted_on=date(2026, 12, 3), language="zh")
    rows = {str(label): value for label, value in figure_rows(plan.figures)}
    assert rows["计入的学生"] == "42"
    assert rows["平均掌握水平"] == "0.46"
    assert rows["需要巩固"] == "12" and rows["熟练"] == "8" and rows["暂无作答"] == "2"
    assert rows["本班作答次数"] == "40" and rows["本班得分率"] == "75.0%"
    assert rows["薄弱的先修知识点"] == "1"


def test_without_estimates_or_items_the_draft_says_so_and_shows_no_predictions() -> None:
    plan = draft(
        _context(items=[], note=None, has_class_data=False, prerequisites=[], dependants=[]),
        drafted_on=date(2026, 12, 3),
        language="zh",
    )
    assert all(s.text.strip() for s in plan.sections)
    assert "尚未算出" in plan.section("class_data").text
    assert "资源库和题库中都没有本知识点的例题" in plan.section("examples").text
    assert plan.items == ()


def test_a_model_s_rewording_is_marked_and_a_teacher_s_edit_or_confirmation_is_theirs() -> None:
    plan = draft(
        _context(), drafted_on=date(2026, 12, 3), language="zh", polish=lambda t: t + "（润色）"
    )
    assert plan.section("objectives").origin is Origin.MODEL
    assert plan.section("exercises").origin is Origin.DATA  # items are never reworded
    at = datetime(2026, 12, 3, 8, 30, tzinfo=UTC)
    after = edited(
        plan,
        {"objectives": plan.section("objectives").text, "homework": "课后完成练习册第 3 页。\r\n"},
        ["exercises"],
        by="王老师",
        at=at,
    )
    assert after.section("objectives").origin is Origin.MODEL  # unchanged, not confirmed
    assert after.section("homework").origin is Origin.TEACHER
    assert after.section("homework").text == "课后完成练习册第 3 页。"
    assert after.section("exercises").is_confirmed
    assert after.section("exercises").confirmed_by == "王老师"
    assert after.n_unconfirmed == len(SECTION_KEYS) - 2
    assert LessonPlan.from_json(after.to_json()) == after


def test_the_english_draft_speaks_english_around_the_curriculum_s_names() -> None:
    plan = draft(_context(), drafted_on=date(2026, 12, 3), language="en")
    class_data = plan.section("class_data").text
    assert "绝对值" in class_data and "需要巩固" not in class_data
