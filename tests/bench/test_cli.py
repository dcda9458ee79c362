"""The benchmark table prints every kind of metric a suite reports."""

from __future__ import annotations

import pytest

from yincai.bench.cli import print_rows


def test_the_table_prints_numbers_flags_counts_and_error_tallies(
    capsys: pytest.CaptureFixture[str],
) -> None:
    rows = [
        {
            "suite": "web",
            "case": "class-report-p95",
            "metrics": {
                "p95_ms": 301.5,
                "n_requests": 1500,
                "errors": {"TimeoutError": 3},
                "meets_target": False,
                "page": "/assessments/1/report",
            },
        },
        {"suite": "cockpit", "case": "early-warnings", "kind": "all", "metrics": {"recall": 1.0}},
    ]
    print_rows("warnings", rows)
    out = capsys.readouterr().out
    for text in ("301.5000", "1,500", "TimeoutError 3", "False", "/assessments/1/report", "all"):
        assert text in out
    assert "warnings · web" in out and "warnings · cockpit" in out  # one table per suite
