from __future__ import annotations

from yincai.attempt_logs import LongAttempt, find_long_layout, read_long_log, split_skills
from yincai.errors import RowError

ASSISTMENTS = ["order_id", "user_id", "problem_id", "correct", "skill_id", "skill_name"]


def _read(header: list[str], rows: list[list[str]]) -> tuple[list[LongAttempt], list[RowError]]:
    log = read_long_log("log.csv", header, enumerate(rows, start=2))
    return log.attempts, log.problems


def test_layouts_are_found_by_their_columns_and_skill_id_wins_over_skill_name() -> None:
    assert find_long_layout(["user_id", "skill_name", "correct", "order_id"]) == {
        "user": 0,
        "skill": 1,
        "correct": 2,
        "order": 3,
    }
    columns = find_long_layout(ASSISTMENTS)
    assert columns is not None and columns["skill"] == 4 and columns["item"] == 2
    assert find_long_layout(["user_id", "skill_name", "correct"]) is None  # no order


def test_multi_skill_rows_joined_or_repeated_read_as_the_same_attempts_in_order() -> None:
    joined = [
        ["30", "u1", "p9", "1", "10_13", "a_b"],
        ["12", "u1", "p8", "0", "13", "b"],
        ["20", "u2", "p9", "1", "10", "a"],
    ]
    repeated = [
        ["30", "u1", "p9", "1", "10", "a"],
        ["30", "u1", "p9", "1", "13", "b"],
        ["12", "u1", "p8", "0", "13", "b"],
        ["12", "u1", "p8", "0", "13", "b"],  # the same row twice, as the 2009 export has
        ["20", "u2", "p9", "1", "10", "a"],
    ]
    ones, problems = _read(ASSISTMENTS, joined)
    twos, more_problems = _read(ASSISTMENTS, repeated)
    assert problems == more_problems == []
    shape = [(a.user, a.rank, a.skills, a.item, a.is_correct) for a in ones]
    assert shape == [
        ("u1", 0, ("13",), "p8", False),
        ("u1", 1, ("10", "13"), "p9", True),
        ("u2", 0, ("10",), "p9", True),
    ]
    assert [(a.user, a.rank, a.skills, a.item, a.is_correct) for a in twos] == shape
    assert [a.row for a in ones] == [3, 2, 4]


def test_every_bad_row_is_reported_with_its_row_column_and_reason() -> None:
    header = ["user_id", "skill_name", "correct", "order_id"]
    attempts, problems = _read(
        header,
        [
            ["u1", "s1", "1", "1"],
            ["u1", "s1", "maybe", "2"],
            ["", "s1", "1", "3"],
            ["u1", "s2", "1", "soon"],
            ["u1", "s2", "0", "1"],  # the attempt of row 2, with another outcome
            ["u1", "", "1", "4"],
        ],
    )
    assert attempts == []
    assert [(p.row, p.column, str(p.reason)) for p in problems] == [
        (3, "correct", "应为 0 或 1"),
        (4, "user_id", "不能为空"),
        (5, "order_id", "“soon”不是数字"),
        (6, "correct", "与第 2 行是同一次作答，但内容不同"),
        (7, "skill_name", "不能为空"),
    ]


def test_only_all_digit_parts_split_a_skill() -> None:
    assert split_skills("10_13") == ("10", "13")
    assert split_skills("Addition_Whole") == ("Addition_Whole",)
    assert split_skills("") == ()
