from __future__ import annotations

from sqlalchemy.orm import Session

from yincai.bench import practice as practice_bench
from yincai.config import Settings
from yincai.demo.truth import load_ground_truth


def test_diagnosis_finds_the_truly_weakest_points_better_than_wrong_answers(
    demo_session: Session, demo_settings: Settings
) -> None:
    truth = load_ground_truth(demo_settings.ground_truth_path)
    quality = practice_bench.measure_quality(demo_session, truth)
    assert quality.n_students == len(truth.student_numbers)
    chance = 3 / 40  # about 40 points are taught to each class by the end of the term
    assert quality.wrong_items > 2 * chance  # the baseline is a real competitor …
    assert quality.diagnosis > quality.wrong_items  # … and the diagnosis beats it
