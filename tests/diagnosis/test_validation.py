import pytest

from yincai.bench import mastery as bench_mastery
from yincai.config import Settings


def test_mastery_ranks_the_hidden_truth_of_the_small_demo_district(
    demo_settings: Settings,
) -> None:
    if demo_settings.database_url:
        pytest.skip("the bench reads the embedded SQLite database of a data dir")
    rows = bench_mastery.run(demo_settings.data_dir)
    checkpoints = [r for r in rows if r["case"].startswith("as of")]
    assert len(checkpoints) == 5
    for row in checkpoints:
        assert row["metrics"]["auc"] > 0.75
        assert row["metrics"]["calibration_error"] < 0.15
    recovery = [r for r in rows if r["case"] == "item difficulty recovery"]
    assert recovery and recovery[0]["metrics"]["difficulty_correlation"] > 0.3
