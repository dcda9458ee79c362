"""Early warnings: the detectors on arrays, and the planted cases of the small demo district."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from yincai.accounts.actors import CLI
from yincai.cockpit import service
from yincai.cockpit import warnings as detect
from yincai.cockpit.detection import EarlyWarning, WarningKind
from yincai.config import Settings
from yincai.demo.truth import load_ground_truth
from yincai.domain.models import Assessment, School, SchoolClass, Student


def test_robust_z_is_not_moved_by_the_outliers_it_should_find() -> None:
    values = np.r_[np.random.default_rng(0).normal(0, 1, 500), [-12.0, -15.0], np.nan]
    z = detect.robust_z(values)
    assert z[500] < -9 and z[501] < -12
    assert np.isnan(z[-1])
    assert abs(np.nanmedian(z)) < 0.1


def test_decline_needs_the_signals_to_agree_beyond_the_limit() -> None:
    rng = np.random.default_rng(1)
    n = 2000
    before = rng.normal(size=n)
    after = 0.85 * before + rng.normal(0, 0.5, n)
    done_before = rng.poisson(30, n).astype(float)
    done_after = rng.poisson(45, n).astype(float)
    correct_before = rng.binomial(done_before.astype(int), 0.7).astype(float)
    correct_after = rng.binomial(done_after.astype(int), 0.6).astype(float)
    decliners = np.arange(5)
    after[decliners] -= 1.5
    done_after[decliners] *= 0.65
    correct_after[decliners] = np.round(done_after[decliners] * 0.2)
    signals = detect.detect_decline(
        z_before=before,
        z_after=after,
        done_before=done_before,
        done_after=done_after,
        correct_before=correct_before,
        correct_after=correct_after,
        class_of_student=np.arange(n) % 40,
    )
    assert set(np.flatnonzero(signals.is_flagged)) == set(decliners)


def test_chronic_absence_limit_follows_the_ordinary_rate_and_the_district_size() -> None:
    rng = np.random.default_rng(2)
    expected = np.full(5000, 4)
    absent = rng.binomial(4, 0.02, size=5000)
    absent[:3] = [4, 3, 2]
    flagged, rate = detect.detect_chronic_absence(absent, expected)
    assert rate == pytest.approx(0.02, abs=0.005)
    # 5000 · P(X ≥ 2) ≈ 12 ordinary students would reach 2: the limit is 3
    assert flagged[:2].all() and not flagged[2]
    assert flagged.sum() == (absent >= 3).sum()
    sensitive, _ = detect.detect_chronic_absence(absent[:300], expected[:300], false_alarms=5)
    assert sensitive[2]  # 300 · P(X ≥ 2) ≈ 0.7 < 5: two absences are enough in a small district


def test_class_shortfall_compares_with_the_own_school_and_allows_for_size() -> None:
    rng = np.random.default_rng(3)
    n_classes, size = 40, 35
    school_of_class = np.arange(n_classes) // 4
    school_level = rng.normal(0, 0.5, 10)
    classes = np.repeat(np.arange(n_classes), size)
    standing = school_level[school_of_class][classes] + rng.normal(0, 1, classes.size)
    standing[classes == 5] -= 1.0
    result = detect.detect_class_shortfall(standing, classes, school_of_class)
    assert np.flatnonzero(result.is_flagged).tolist() == [5]
    assert result.shortfall[5] == pytest.approx(
        standing[classes == 5].mean()
        - standing[(school_of_class[classes] == 1) & (classes != 5)].mean()
    )


def test_school_decline_uses_a_bonferroni_limit_over_the_schools() -> None:
    rng = np.random.default_rng(4)
    school = np.repeat(np.arange(10), 100)
    change = rng.normal(0, 0.5, 1000)
    change[school == 3] -= 0.3
    result = detect.detect_school_decline(change, school, 10)
    assert np.flatnonzero(result.is_flagged).tolist() == [3]
    assert result.change[3] == pytest.approx(change[school == 3].mean())


def test_a_class_is_missing_only_from_an_exam_of_its_grade_it_otherwise_sat() -> None:
    sat = np.array([[True, True, False], [True, False, False], [True, True, False]])
    eligible = np.array([[True, True, False], [True, True, False], [True, True, False]])
    assert detect.detect_missing_classes(sat, eligible).tolist() == [
        [False, False, False],
        [False, True, False],
        [False, False, False],
    ]


def _labels(session: Session, warnings: list[EarlyWarning]) -> dict[str, set[str]]:
    """Warnings in the ground truth's terms, by kind."""
    codes = dict(session.execute(select(School.id, School.code)).all())
    classes = {
        class_id: f"{codes[school_id]}/{name}"
        for class_id, school_id, name in session.execute(
            select(SchoolClass.id, SchoolClass.school_id, SchoolClass.name)
        ).tuples()
    }
    numbers = dict(session.execute(select(Student.id, Student.student_number)).all())
    exam_index = {
        assessment_id: int(code.rsplit("-", 1)[1]) - 1
        for assessment_id, code in session.execute(select(Assessment.id, Assessment.code)).tuples()
    }
    out: dict[str, set[str]] = {kind.value: set() for kind in WarningKind}
    for w in warnings:
        s = w.subject
        if s.student_id is not None:
            label = numbers[s.student_id]
        elif s.assessment_id is not None and s.school_class_id is not None:
            label = f"{exam_index[s.assessment_id]}|{classes[s.school_class_id]}"
        elif s.school_class_id is not None:
            label = classes[s.school_class_id]
        else:
            label = codes[s.school_id]
        out[w.kind.value].add(label)
    return out


def _planted(settings: Settings) -> dict[str, set[str]]:
    truth = load_ground_truth(settings.ground_truth_path)
    return {
        WarningKind.DECLINING_STUDENT: set(truth.declining_students),
        WarningKind.CHRONIC_ABSENCE: set(truth.chronic_absentees),
        WarningKind.UNDERPERFORMING_CLASS: set(truth.underperforming_classes),
        WarningKind.WIDENING_GAP: set(truth.widening_gap_schools),
        WarningKind.MISSING_SCORES: {f"{e}|{c}" for e, c in truth.missing_class_exams},
    }


def test_sensitive_warnings_find_every_planted_case_in_a_short_list(
    demo_session: Session, demo_settings: Settings
) -> None:
    warnings = service.early_warnings(demo_session, actor=CLI, is_sensitive=True)
    found, planted = _labels(demo_session, warnings), _planted(demo_settings)
    for kind, cases in planted.items():
        assert cases, f"the demo plants {kind}"
        assert cases <= found[kind], f"{kind}: missed {sorted(cases - found[kind])}"
    n_students = len(load_ground_truth(demo_settings.ground_truth_path).student_numbers)
    n_classes = demo_session.query(SchoolClass).count()
    assert len(warnings) <= 0.05 * (n_students + n_classes)


def test_standard_warnings_are_precise_and_a_subset_of_the_sensitive_ones(
    demo_session: Session, demo_settings: Settings
) -> None:
    standard = service.early_warnings(demo_session, actor=CLI)
    sensitive = service.early_warnings(demo_session, actor=CLI, is_sensitive=True)
    assert {w.key for w in standard} <= {w.key for w in sensitive}
    found, planted = _labels(demo_session, standard), _planted(demo_settings)
    for kind, labels in found.items():
        assert labels <= planted[kind], f"{kind}: false alarms {sorted(labels - planted[kind])}"
    # the cases with the strongest signal are found at the standard limits too
    for kind in (WarningKind.WIDENING_GAP, WarningKind.MISSING_SCORES):
        assert found[kind] == planted[kind]
    assert len(found[WarningKind.DECLINING_STUDENT]) >= 0.8 * len(
        planted[WarningKind.DECLINING_STUDENT]
    )


def test_every_warning_has_a_readable_reason_numbers_and_a_link(demo_session: Session) -> None:
    warnings = service.early_warnings(demo_session, actor=CLI, is_sensitive=True)
    assert len({w.key for w in warnings}) == len(warnings)
    for w in warnings:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in w.reason), w.reason
        assert w.evidence and all(isinstance(v, float) for v in w.evidence.values())
        s = w.subject
        expected = (
            f"/students/{s.student_id}"
            if s.student_id is not None
            else f"/classes/{s.school_class_id}"
            if s.school_class_id is not None
            else f"/schools/{s.school_id}"
        )
        assert w.link == expected
    missing = [w for w in warnings if w.kind is WarningKind.MISSING_SCORES]
    assert missing and "缺少" in missing[0].reason and "第二次月考" in missing[0].reason
    gap = [w for w in warnings if w.kind is WarningKind.WIDENING_GAP]
    assert gap and "扩大到" in gap[0].reason
