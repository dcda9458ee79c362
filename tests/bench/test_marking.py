"""The marking benchmark reports accuracy, review rate, silent errors and speed for every case."""

from __future__ import annotations

from yincai.bench import marking


def test_every_case_reports_its_figures_and_reads_right() -> None:
    rows = marking.run(n_sheets=1, seed=3)
    assert [row["case"] for row in rows] == [*marking.CASES, "all"]
    total = rows[-1]["metrics"]
    assert total["sheets"] == len(marking.CASES)
    assert total["bubble_accuracy"] >= 0.999
    assert total["silent_errors"] == 0
    assert 0.0 <= total["review_rate"] <= 0.02
    assert total["sheets_per_second_per_core"] > 0
