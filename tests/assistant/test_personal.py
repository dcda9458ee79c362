"""The personal-data filter: roster names and numbers, then patterned numbers and addresses."""

from __future__ import annotations

from yincai.assistant.personal import NAME_MARK, NUMBER_MARK, build_filter
from yincai.redaction import REDACTED


def test_names_and_numbers_of_the_roster_are_blanked_longest_first() -> None:
    scrub = build_filter(["王小明", "王小", "李", " "], ["2026001", "T0012"])
    text = "我是王小明，学号2026001，同桌王小，老师工号T0012，李老师。编号20260010 不是学号。"
    assert scrub(text) == (
        f"我是{NAME_MARK}，学号{NUMBER_MARK}，同桌{NAME_MARK}，老师工号{NUMBER_MARK}，"
        f"李老师。编号{REDACTED} 不是学号。"
    )  # one-character names stay; a longer number is another number (blanked by its pattern)


def test_phones_id_numbers_and_email_are_blanked_without_a_roster() -> None:
    scrub = build_filter([], [])
    text = "电话 13812345678，身份证 11010520100101123X，邮箱 a.b@example.cn，x^2=4"
    cleaned = scrub(text)
    for secret in ("13812345678", "11010520100101123X", "a.b@example.cn"):
        assert secret not in cleaned
    assert "x^2=4" in cleaned
