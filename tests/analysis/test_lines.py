"""Score lines, 临界生 and the 10-point 分数段统计表 on small exams built by hand."""

from __future__ import annotations

import numpy as np
import pytest

from tests.analysis.builders import exam_data
from yincai.analysis.lines import (
    MAX_LINES,
    band_table,
    borderline,
    default_lines,
    form_rows,
    line_table,
    parse_lines,
    parse_margin,
)
from yincai.analysis.totals import rates
from yincai.errors import Invalid
from yincai.rules import Thresholds

TOTALS = [54.9, 55.0, 57.0, 59.5, 60.0, 64.5, 65.0, 80.0, 84.0, 85.0, 90.0, 100.0, 0.0, 9.5]


def _exam(totals: list[float], classes: list[int] | None = None, absent: list[bool] | None = None):
    return exam_data(
        np.array(totals)[:, None],
        [100.0],
        class_of_student=classes or [1] * len(totals),
        is_absent=absent,
    )


def test_borderline_students_sit_within_the_margin_below_and_above_each_line() -> None:
    data = _exam(TOTALS)
    found = borderline(data, np.ones(len(TOTALS), dtype=bool), Thresholds(), margin=5.0)
    passing = next(g for g in found.groups if g.cutoff == 60.0)
    assert sorted(s.total for s in passing.below) == [55.0, 57.0, 59.5]  # 54.9 is too far
    assert sorted(s.total for s in passing.above) == [60.0, 64.5]  # 65 is a full margin above
    excellent = next(g for g in found.groups if g.cutoff == 85.0)
    assert [s.total for s in excellent.below] == [84.0, 80.0]
    assert [s.total for s in excellent.above] == [85.0]
    assert all(s.gap == pytest.approx(s.total - 60.0) for s in passing.below + passing.above)


def test_borderline_groups_by_class_and_leaves_absentees_out() -> None:
    data = _exam([58.0, 59.0, 61.0, 58.0], classes=[1, 1, 2, 2], absent=[False, True, False, False])
    found = borderline(data, np.ones(4, dtype=bool), Thresholds(), margin=3.0)
    passing = {g.class_name: g for g in found.groups if g.cutoff == 60.0}
    assert [s.total for s in passing["1班"].below] == [58.0]
    assert [s.total for s in passing["2班"].above] == [61.0]
    assert [s.total for s in passing["2班"].below] == [58.0]


def test_ten_point_bands_count_every_participant_and_the_top_band_holds_full_marks() -> None:
    data = _exam(TOTALS, absent=[False] * (len(TOTALS) - 1) + [True])
    table = band_table(data, np.ones(len(TOTALS), dtype=bool), [])
    assert table.labels[0] == "90–100" and table.labels[-1] == "0–9"
    assert len(table.labels) == 10
    counts = [row[0] for row in table.counts]
    assert sum(counts) == table.totals[0] == len(TOTALS) - 1
    assert counts[0] == 2  # 90 and 100
    assert table.cumulative[-1][0] == table.totals[0]
    assert counts[table.labels.index("50–59")] == 4  # 54.9, 55, 57, 59.5


def test_band_edges_of_an_odd_full_score() -> None:
    data = exam_data([[105.0], [99.5]], [105.0], class_of_student=[1, 1])
    table = band_table(data, np.ones(2, dtype=bool), [])
    assert table.labels[0] == "100–105" and table.labels[1] == "90–99"
    assert [row[0] for row in table.counts][:2] == [1, 1]


def test_line_table_counts_at_or_above_each_line_per_group() -> None:
    data = _exam([50.0, 70.0, 90.0, 95.0], classes=[1, 1, 2, 2])
    lines = parse_lines(["本科线", "特控线"], ["70", "90"], full_score=100)
    assert [line.name for line in lines] == ["特控线", "本科线"]  # highest first
    everyone = np.ones(4, dtype=bool)
    groups = [("1班", data.class_of_student == 1), ("2班", data.class_of_student == 2)]
    table = line_table(data, everyone, groups, lines)
    assert table.rows[0].counts == [2, 3] and table.rows[0].shares == [0.5, 0.75]
    assert table.rows[1].counts == [0, 1] and table.rows[2].counts == [2, 2]


@pytest.mark.parametrize(
    ("scores", "code"),
    [
        (["abc"], "report.invalid_line"),
        (["-1"], "report.invalid_line"),
        (["100.5"], "report.invalid_line"),
        (["nan"], "report.invalid_line"),
        (["inf"], "report.invalid_line"),
        (["1"] * 9, "report.too_many_lines"),
        ([""] * 51, "report.too_many_lines"),
    ],
)
def test_bad_score_lines_are_refused_with_a_chinese_message(scores: list[str], code: str) -> None:
    with pytest.raises(Invalid) as raised:
        parse_lines([], scores, full_score=100)
    assert raised.value.code == code
    assert "分数线" in raised.value.message or "分数" in raised.value.message


def test_blank_lines_are_skipped_and_unnamed_ones_numbered() -> None:
    lines = parse_lines(["", "", ""], ["", "80", " "], full_score=100)
    assert [(line.name, line.cutoff) for line in lines] == [("分数线 2", 80.0)]
    assert parse_lines([], [], full_score=100) == []
    assert [line.cutoff for line in default_lines(100, Thresholds())] == [85, 70, 60]


def test_a_form_sent_back_again_and_again_keeps_its_lines_and_one_blank_row() -> None:
    """Each 计算 sends the blank rows too: they are skipped, and the form does not grow."""
    names, scores = ["本科线", ""], ["70", ""]
    for _ in range(12):
        rows = form_rows(names, scores)
        names, scores = [n for n, _ in rows], [s for _, s in rows]
        assert len(parse_lines(names, scores, full_score=100)) == 1
    assert rows == [("本科线", "70"), ("", ""), ("", "")]
    eight = form_rows([""] * 8, [str(k) for k in range(8)])
    assert len(eight) == MAX_LINES and all(score for _, score in eight)


@pytest.mark.parametrize("text", ["0", "-2", "x", "51", "nan"])
def test_bad_margins_are_refused(text: str) -> None:
    with pytest.raises(Invalid) as raised:
        parse_margin(text, full_score=100, default=5)
    assert raised.value.code == "report.invalid_margin"


def test_margin_defaults_and_parses() -> None:
    assert parse_margin(None, full_score=100, default=5) == 5
    assert parse_margin(" 2.5 ", full_score=100, default=5) == 2.5


def test_low_rate_counts_totals_below_forty_percent() -> None:
    found = rates(np.array([0.0, 39.9, 40.0, 100.0]), 100.0, Thresholds())
    assert found.low_cutoff == 40.0 and found.n_low == 2 and found.low_rate == 0.5
