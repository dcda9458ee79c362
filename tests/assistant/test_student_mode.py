"""Student mode's parts: the keys of an item, finding them in a reply, matching a question to
an open item and the hints (which never state the key)."""

from __future__ import annotations

from yincai.assistant.student_mode import (
    OpenItem,
    hints_for,
    keys_of,
    match_item,
    reveals_key,
    withhold_key,
)


def _item(
    stem: str, key: tuple[str, ...], item_type: str = "fill_in", **kwargs: object
) -> OpenItem:
    values: dict[str, object] = {
        "item_id": 1, "assessment_id": 1, "is_exam": False, "item_type": item_type,
        "stem": stem, "key": key, "kp_names": ("绝对值",), "subject_id": 1,
    }  # fmt: skip
    values.update(kwargs)
    return OpenItem(**values)  # type: ignore[arg-type]


def test_a_choice_items_keys_are_its_letters_and_their_options() -> None:
    assert keys_of("B", ["$-3$", "$3$", "$0$"]) == ("B", "$3$")
    assert keys_of("AC", ["甲", "乙", "丙"]) == ("AC", "甲", "丙")
    assert keys_of(" 5 ", []) == ("5",)


def test_a_short_key_is_a_token_of_its_own_a_long_one_any_long_stretch() -> None:
    assert reveals_key("答案是 B。", ("B",))
    assert not reveals_key("AB 两点之间的距离", ("B",))  # the B of AB names a point
    assert reveals_key("所以 x = 3", ("3",)) and not reveals_key("第 13 页", ("3",))
    assert reveals_key("结果为 $\\frac{1}{2}$", ("$\\frac{1}{2}$",))
    essay = "光合作用把光能转化为化学能并储存在有机物中"
    assert reveals_key("要点：把光能转化为化学能并储存", (essay,))
    assert not reveals_key("想一想能量是怎样转化的", (essay,))


def test_sentences_holding_the_key_are_withheld() -> None:
    kept, removed = withhold_key("先想想定义。答案是 7。再代回检验！", ("7",))
    assert removed and kept == "先想想定义。再代回检验！"
    assert withhold_key("没有答案。", ("7",)) == ("没有答案。", False)


def test_a_question_repeating_a_stem_matches_it_other_questions_do_not() -> None:
    items = [
        _item("计算 $|-5|+|3|$ 的值是多少？", ("8",)),
        _item("下列说法中，关于相反数正确的是（　）", ("B",), "single_choice"),
    ]
    assert match_item("老师，这题怎么做：计算 |-5|+|3| 的值是多少", items) == items[0]
    assert match_item("下列说法中关于相反数正确的是", items) == items[1]
    assert match_item("什么是相反数？", items) is None


def test_items_sharing_a_stem_are_matched_together() -> None:
    items = [
        _item("下列说法中，错误的是（　）", ("B", "两点确定一条直线"), "single_choice"),
        _item("下列说法中，错误的是（　）", ("D", "面与面相交得到点"), "single_choice",
              item_id=2, is_exam=True),
    ]  # fmt: skip
    found = match_item("下列说法中，错误的是哪个？", items)
    assert found is not None and found.is_exam
    assert found.key == ("B", "两点确定一条直线", "D", "面与面相交得到点")


def test_hints_name_the_point_and_ask_questions_for_every_item_type() -> None:
    for item_type in ("single_choice", "multiple_choice", "true_false", "fill_in", "essay"):
        hints = hints_for(_item("题干", ("答案",), item_type))
        assert hints.about is not None and "绝对值" in hints.about
        assert len(hints.questions) == 3 and all("答案" not in q for q in hints.questions)
    assert "考试" in hints_for(_item("题干", ("8",), is_exam=True)).notice
