"""``yincai bench fairness`` on the small demo district: one row per metric and group dimension,
each group's value, and the largest gap between them."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

from yincai.bench import cli
from yincai.bench.fairness import DIMENSIONS
from yincai.config import Settings
from yincai.science.fairness import TARGET_GAP


def test_the_fairness_rows_hold_every_groups_value_and_their_largest_gap(
    backend: str, demo_settings: Settings, tmp_path: Path
) -> None:
    if backend != "sqlite":
        pytest.skip("reads the demo once; the database code it calls is tested on both")
    out = tmp_path / "fairness.json"
    result = CliRunner().invoke(cli.app, ["fairness", "--json", str(out)], obj=demo_settings)
    assert result.exit_code == 0, result.output
    rows = json.loads(out.read_text(encoding="utf-8"))
    cases = {(row["case"], row["kind"]) for row in rows}
    for model_metric in (
        "mastery/auc",
        "mastery/calibration_error",
        "mastery/mean_error",
        "mastery/within_student_auc",
        "early-warnings/recall",
        "early-warnings/false_positive_rate",
        "early-warnings/mean_error",
        "early-warnings-sensitive/false_positive_rate",
        "decline-score/auc",
    ):
        for dimension in DIMENSIONS:
            assert (model_metric, dimension) in cases
    for row in rows:
        assert row["suite"] == "fairness"
        metrics = row["metrics"]
        dimension = metrics["dimension"]
        assert dimension == row["kind"] and row["case"].count("/") == 1
        values = {g: metrics[g] for g in DIMENSIONS[dimension] if metrics.get(g) is not None}
        low = -1.0 if row["case"].endswith("mean_error") else 0.0
        assert all(low <= v <= 1.0 for v in values.values()), row
        if len(values) >= 2:
            gap = max(values.values()) - min(values.values())
            assert metrics["max_gap"] == pytest.approx(gap, abs=2e-4), row
            assert metrics["meets_target"] is (metrics["max_gap"] <= TARGET_GAP)
        else:
            assert metrics["max_gap"] is None
    by_case = {(row["case"], row["kind"]): row["metrics"] for row in rows}
    setting = by_case[("mastery/auc", "setting")]
    assert {"urban", "township", "rural"} <= setting.keys()
    assert setting["urban"] > 0.6 and setting["rural"] > 0.6  # the estimates do rank mastery
    sizes = by_case[("early-warnings/recall", "gender")]["n_students"]
    assert sum(sizes.values()) == 600 and set(sizes) == {"male", "female"}
    assert not math.isnan(by_case[("mastery/mean_error", "gender")]["max_gap"])
    # the demo's growth records: students with many arts or sports activities and the others
    activities = by_case[("early-warnings/recall", "activities")]["n_students"]
    assert set(activities) == {"many", "others"} and sum(activities.values()) == 600
    assert 0.1 < activities["many"] / 600 < 0.5
    mastery = by_case[("mastery/auc", "activities")]
    assert mastery["many"] > 0.6 and mastery["others"] > 0.6 and mastery["max_gap"] is not None
    assert "公平性" in result.output and "max_gap" in result.output  # the compact table
