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
    assert len(checkpoints) == 4  # the last week of term adds no evidence: not repeated
    for row in checkpoints:
        metrics = row["metrics"]
        assert metrics["auc"] > 0.75 and metrics["calibration_error"] < 0.15
        # Beyond ability alone: ranking a student's own points, where the baseline has nothing.
        assert metrics["auc"] > metrics["student_mean_auc"]
        assert metrics["within_student_auc"] > 0.7 and metrics["within_student_spearman"] > 0.3
    recovery = [r for r in rows if r["case"] == "item difficulty recovery"]
    assert recovery and recovery[0]["metrics"]["difficulty_correlation"] > 0.3
