"""Cockpit indicators checked against plain pandas, on arrays and on the demo district."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sqlalchemy.orm import Session

from yincai.accounts.actors import CLI
from yincai.cockpit import indicators, service
from yincai.cockpit.data import load_district
from yincai.domain.models import District
from yincai.rules import group_means


def _icc_by_pandas(frame: pd.DataFrame) -> float:
    groups = frame.groupby("group")["value"]
    n_total, n_groups = len(frame), groups.ngroups
    sizes = groups.size()
    grand = frame["value"].mean()
    ms_between = (sizes * (groups.mean() - grand) ** 2).sum() / (n_groups - 1)
    ms_within = ((frame["value"] - groups.transform("mean")) ** 2).sum() / (n_total - n_groups)
    n0 = (n_total - (sizes**2).sum() / n_total) / (n_groups - 1)
    return float((ms_between - ms_within) / (ms_between + (n0 - 1) * ms_within))


def test_icc_matches_the_anova_estimate_computed_with_pandas() -> None:
    rng = np.random.default_rng(0)
    sizes = rng.integers(5, 40, size=12)
    groups = np.repeat(np.arange(12), sizes)
    values = rng.normal(0, 0.6, 12)[groups] + rng.normal(0, 1, groups.size)
    expected = _icc_by_pandas(pd.DataFrame({"group": groups, "value": values}))
    assert indicators.icc(values, groups) == pytest.approx(expected, rel=1e-12)
    assert 0.1 < expected < 0.5  # true share 0.36 / 1.36 ≈ 0.26


def test_icc_ignores_missing_values_and_needs_two_groups() -> None:
    values = np.array([1.0, 2.0, np.nan, 4.0, 6.0])
    groups = np.array([0, 0, 0, 1, 1])
    frame = pd.DataFrame({"group": groups, "value": values}).dropna()
    assert indicators.icc(values, groups) == pytest.approx(max(0.0, _icc_by_pandas(frame)))
    assert np.isnan(indicators.icc([1.0, 2.0], [0, 0]))


def test_group_means_and_rates_match_pandas() -> None:
    rng = np.random.default_rng(1)
    values = rng.normal(size=200)
    values[::17] = np.nan
    groups = rng.integers(0, 6, size=200)
    expected = pd.Series(values).groupby(groups).mean().reindex(range(7))
    np.testing.assert_allclose(group_means(values, groups, 7).mean, expected.to_numpy())
    totals = rng.uniform(0, 120, size=300)
    share = pd.Series(totals / 120)
    assert indicators.rates(totals, np.full(300, 120.0)) == pytest.approx(
        (share.mean(), (share >= 0.6).mean(), (share >= 0.85).mean())
    )


def _sittings(session: Session) -> pd.DataFrame:
    query = """
        SELECT s.assessment_id, s.student_id, s.total_score, a.code, a.held_on, a.grade_level,
               a.subject_id, sc.id AS school_id, sc.setting
        FROM sitting s JOIN assessment a ON a.id = s.assessment_id
        JOIN student st ON st.id = s.student_id
        JOIN school_class c ON c.id = st.school_class_id
        JOIN school sc ON sc.id = c.school_id
        WHERE a.kind = 'exam'
    """
    frame = pd.read_sql(query, session.connection())
    frame["z"] = frame.groupby("assessment_id")["total_score"].transform(
        lambda x: (x - x.mean()) / x.std(ddof=1)
    )
    by_paper = frame.groupby(["grade_level", "subject_id"])[
        "held_on"
    ]  # a round holds every subject
    frame["round"] = by_paper.rank(method="dense").astype(int)
    return frame


def _standings(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per student and round: mean z over the papers sat (a joint exam has several)."""
    keys = ["round", "student_id", "school_id", "setting"]
    return frame.groupby(keys, as_index=False).agg(
        z=("z", "mean"), present=("total_score", lambda x: x.notna().any())
    )


def test_school_standing_and_equity_agree_with_pandas_on_the_demo(
    demo_session: Session,
) -> None:
    frame = _standings(_sittings(demo_session))
    data = service.cockpit(demo_session, actor=CLI)
    last = frame[frame["round"] == frame["round"].max()]
    first = frame[frame["round"] == 1]
    by_school_last = last.groupby("school_id")["z"].mean()
    by_school_first = first.groupby("school_id")["z"].mean()
    assert data.schools, "the demo has schools with results"
    for school in data.schools:
        assert school.mean_z == pytest.approx(by_school_last[school.school_id], abs=1e-3)
        assert school.change_z == pytest.approx(
            by_school_last[school.school_id] - by_school_first[school.school_id], abs=1e-3
        )
    by_setting = last.groupby("setting")["z"].mean()
    assert data.equity is not None
    assert data.equity.urban_rural_gap == pytest.approx(
        by_setting["urban"] - by_setting["rural"], abs=1e-3
    )
    assert data.equity.icc == pytest.approx(
        _icc_by_pandas(
            last.dropna(subset=["z"]).rename(columns={"school_id": "group", "z": "value"})
        ),
        abs=1e-3,
    )
    assert data.equity.school_sd == pytest.approx(by_school_last.std(ddof=1), abs=1e-3)
    assert data.kpis.participation == pytest.approx(last["present"].mean(), abs=1e-3)


def test_trends_have_one_point_per_exam_round_with_participation_from_pandas(
    demo_session: Session,
) -> None:
    frame = _standings(_sittings(demo_session))
    data = service.cockpit(demo_session, actor=CLI)
    assert [p.round for p in data.trends] == sorted(frame["round"].unique().tolist())
    for point in data.trends:
        rows = frame[frame["round"] == point.round]
        assert point.participation == pytest.approx(rows["present"].mean(), abs=1e-3)
        assert point.label.endswith(("月考", "考试"))


def test_knowledge_points_are_listed_weakest_first_with_rates_in_range(
    demo_session: Session,
) -> None:
    data = service.cockpit(demo_session, actor=CLI)
    rates = [kp.score_rate for kp in data.weakest_kps]
    assert rates and all(r is not None and 0 <= r <= 1 for r in rates)
    assert rates == sorted(rates)  # type: ignore[type-var]


def test_the_loader_counts_every_sitting(demo_session: Session) -> None:
    district_id = demo_session.query(District.id).scalar()
    data = load_district(demo_session, district_id)
    frame = _sittings(demo_session)
    assert int(np.isfinite(data.totals).sum()) == int(frame["total_score"].notna().sum())
    assert int(data.is_absent.sum()) == int(frame["total_score"].isna().sum())
