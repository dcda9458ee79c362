"""The demo district's hidden ground truth, stored apart from the platform (an ``.npz`` file).

It holds every junior-high student's true mastery of every knowledge point at each exam and at the
end of the semester, plus the planted cases, keyed by student number and knowledge-point code so
that a check can join it to what the platform estimated. Every subject is stored: maths under the
plain keys (as before there were other subjects), each other subject under ``{code}/…`` keys with
its own mastery, points, items and ability; ``general_ability`` is what the subjects share.
``activities`` is each student's planted number of arts and sports growth-archive records.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from yincai.demo.itembank.bank import ItemSpec
from yincai.demo.simulate import Semester

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class GroundTruth:
    """``mastery`` (n_checkpoints, n_students, n_kps): true P(mastered) at each checkpoint date."""

    mastery: npt.NDArray[np.float32]
    checkpoint_dates: list[str]
    student_numbers: list[str]
    kp_codes: list[str]
    item_codes: list[str]
    class_names: list[str]
    school_codes: list[str]
    ability: npt.NDArray[np.float64]
    declining_students: list[str]
    underperforming_classes: list[str]
    widening_gap_schools: list[str]
    chronic_absentees: list[str]
    missing_class_exams: list[tuple[int, str]]
    seed: int
    subject: str = "MATH"
    general_ability: npt.NDArray[np.float64] | None = None  # shared by every subject
    activities: npt.NDArray[np.int64] | None = None  # arts and sports records planted


@dataclass(frozen=True)
class SubjectTruth:
    """One more subject's hidden truth: mastery (n_checkpoints, n_students, n_kps) and ability."""

    mastery: npt.NDArray[np.float32]
    kp_codes: list[str]
    item_codes: list[str]
    ability: npt.NDArray[np.float64]


def save_ground_truth(
    path: Path,
    *,
    result: Semester,
    student_numbers: list[str],
    kp_codes: list[str],
    item_codes: list[str],
    class_names: list[str],
    school_codes: list[str],
    checkpoint_dates: list[str],
    seed: int,
    general_ability: npt.NDArray[np.float64] | None = None,
    subjects: Mapping[str, SubjectTruth] | None = None,
    activities: npt.NDArray[np.int64] | None = None,
) -> None:
    """Write the truth of the maths ``result`` and of every other subject in ``subjects``."""
    planted = result.planted
    others = dict(subjects or {})
    per_subject = {
        f"{code}/{key}": value
        for code, truth in others.items()
        for key, value in (
            ("mastery", truth.mastery.astype(np.float32)),
            ("kp_codes", np.array(truth.kp_codes)),
            ("item_codes", np.array(truth.item_codes)),
            ("ability", truth.ability),
        )
    }
    ability = result.student_ability if general_ability is None else general_ability
    numbers = np.array(student_numbers)
    classes = np.array(class_names)
    if activities is not None:
        per_subject["activities"] = np.asarray(activities, dtype=np.int64)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        path,
        mastery=result.mastery.astype(np.float32),
        checkpoint_dates=np.array(checkpoint_dates),
        student_numbers=numbers,
        kp_codes=np.array(kp_codes),
        item_codes=np.array(item_codes),
        class_names=classes,
        school_codes=np.array(school_codes),
        ability=result.student_ability,
        declining_students=numbers[planted.declining_students],
        underperforming_classes=classes[planted.underperforming_classes],
        widening_gap_schools=np.array(school_codes)[planted.widening_gap_schools],
        chronic_absentees=numbers[planted.chronic_absentees],
        missing_exam=np.array([e for e, _ in planted.missing_class_exams], dtype=np.int64),
        missing_class=np.array([class_names[c] for _, c in planted.missing_class_exams]),
        seed=np.array(seed),
        subjects=np.array(["MATH", *others]),
        general_ability=ability,
        **per_subject,  # type: ignore[arg-type]
    )


def stored_subjects(path: Path) -> list[str]:
    """The subject codes whose truth the file holds, maths first."""
    with np.load(path) as data:
        return data["subjects"].tolist() if "subjects" in data.files else ["MATH"]


def load_ground_truth(path: Path, subject: str = "MATH") -> GroundTruth:
    """The truth of one subject (maths by default); KeyError if the file does not hold it."""
    prefix = "" if subject == "MATH" else f"{subject}/"
    with np.load(path) as data:
        if f"{prefix}mastery" not in data.files:
            raise KeyError(f"{path.name} holds no ground truth for subject {subject}")
        return GroundTruth(
            mastery=data[f"{prefix}mastery"],
            checkpoint_dates=data["checkpoint_dates"].tolist(),
            student_numbers=data["student_numbers"].tolist(),
            kp_codes=data[f"{prefix}kp_codes"].tolist(),
            item_codes=data[f"{prefix}item_codes"].tolist(),
            class_names=data["class_names"].tolist(),
            school_codes=data["school_codes"].tolist(),
            ability=data[f"{prefix}ability"],
            declining_students=data["declining_students"].tolist(),
            underperforming_classes=data["underperforming_classes"].tolist(),
            widening_gap_schools=data["widening_gap_schools"].tolist(),
            chronic_absentees=data["chronic_absentees"].tolist(),
            missing_class_exams=list(
                zip(data["missing_exam"].tolist(), data["missing_class"].tolist(), strict=True)
            ),
            seed=int(data["seed"]),
            subject=subject,
            general_ability=data["general_ability"] if "general_ability" in data.files else None,
            activities=data["activities"] if "activities" in data.files else None,
        )


def replay_item_bank(seed: int, n_students: int, subject: str = "MATH") -> list[ItemSpec]:
    """The demo's item bank of a subject with its designed parameters (difficulty,
    discrimination, tags), as the build drew it: the same draws from the same seed."""
    from yincai.demo.curriculum import junior_math_curriculum
    from yincai.demo.district import plan_district
    from yincai.demo.itembank import build_item_bank
    from yincai.demo.subjects import draw_bank, subject_of, subject_rng

    if subject != "MATH":
        return draw_bank(subject_of(subject), subject_rng(seed, subject))
    rng = np.random.default_rng(seed)
    plan_district(rng, n_junior_students=n_students)
    points = [p for p in junior_math_curriculum() if p.level == "point"]
    return build_item_bank(points, rng, items_per_point=3)


def true_success(
    items: Sequence[ItemSpec], truth: GroundTruth, checkpoint: int, rows: npt.ArrayLike
) -> FloatArray:
    """Each student's (``rows`` of the truth) expected score share on each item, as the
    simulation scores it at ``checkpoint``: shape (n_rows, n_items)."""
    from yincai.demo.responses import CONJUNCTIVE_WEIGHT
    from yincai.demo.semester import GUESSING, PARTIAL_CREDIT_TYPES

    column = {code: k for k, code in enumerate(truth.kp_codes)}
    p = np.clip(truth.mastery[checkpoint][np.asarray(rows)].astype(np.float64), 1e-6, 1 - 1e-6)
    logit = np.log(p / (1 - p))
    out = np.empty((logit.shape[0], len(items)))
    for j, item in enumerate(items):
        columns = [column[code] for code, _ in item.kp_weights]
        weights = np.array([w for _, w in item.kp_weights])
        values = logit[:, columns]
        mixed = (1 - CONJUNCTIVE_WEIGHT) * (values @ (weights / weights.sum()))
        mixed += CONJUNCTIVE_WEIGHT * values.min(axis=1)
        solve = 1 / (1 + np.exp(-item.discrimination * (mixed - item.difficulty)))
        guess = 0.0 if item.item_type in PARTIAL_CREDIT_TYPES else GUESSING.get(item.item_type, 0)
        out[:, j] = guess + (1 - guess) * solve
    return out
