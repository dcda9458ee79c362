"""The benchmark table prints every kind of metric a suite reports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.bench.test_datasets import write_forms
from yincai.bench import diagnosis
from yincai.bench.cli import app, print_rows
from yincai.science import tracing


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


def test_a_failed_model_prints_its_error_beside_the_measured_ones(
    capsys: pytest.CaptureFixture[str],
) -> None:
    rows = [
        {"suite": "diagnosis", "dataset": "kt", "case": "full histories", "model": "BKT",
         "metrics": {"auc": 0.75}},
        {"suite": "diagnosis", "dataset": "kt", "case": "full histories", "model": "DKT",
         "metrics": {}, "error": "ValueError: no skills"},
    ]  # fmt: skip
    print_rows("diagnosis", rows)
    out = capsys.readouterr().out
    for text in ("error", "0.7500", "ValueError: no skills", "full histories"):
        assert text in out


def test_bench_diagnosis_runs_the_chosen_protocol_and_refuses_an_unknown_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_forms(tmp_path)
    monkeypatch.setattr(diagnosis, "tracing_models", lambda **_: {"Elo": tracing.Elo})
    runner = CliRunner()
    out = tmp_path / "rows.json"
    args = ["diagnosis", "--datasets", str(tmp_path), "--json", str(out)]
    ran = runner.invoke(app, [*args, "--protocol", "chunks"])
    assert ran.exit_code == 0, ran.output
    rows = json.loads(out.read_text(encoding="utf-8"))
    assert {row["case"] for row in rows} == {"chunks of 200"} and len(rows) == 3
    assert runner.invoke(app, [*args, "--protocol", "halves"]).exit_code == 2
