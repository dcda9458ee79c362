from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from scipy.special import expit

from yincai.diagnosis import levels
from yincai.practice.estimates import (
    ItemParameters,
    expected_sigmoid,
    item_information,
    predicted_success,
)
from yincai.practice.reteach import ClassPoint, DiagnosticCandidate, pick_diagnostic, rank_reteach
from yincai.practice.selection import (
    WEAK_LEVEL,
    CandidateItem,
    PointState,
    PriorityWeights,
    SelectionPolicy,
    rank_points,
    select_practice,
)


def point(
    kp_id: int, level: float, *, needs: tuple[int, ...] = (), taught: bool = True
) -> PointState:
    return PointState(
        kp_id=kp_id,
        name=f"知识点{kp_id}",
        level=level,
        logit_sd=0.5,
        n_evidence=5,
        is_taught=taught,
        prerequisite_ids=needs,
    )


def item(
    item_id: int, kp_id: int, success: float, item_type: str = "single_choice", **flags: bool
) -> CandidateItem:
    return CandidateItem(item_id, item_type, (kp_id,), success, **flags)


def bank(kp_ids: list[int], per_point: int = 4) -> list[CandidateItem]:
    types = ["single_choice", "fill_in", "short_answer", "true_false"]
    return [
        item(100 * kp + j, kp, 0.55 + 0.05 * j, types[j % len(types)])
        for kp in kp_ids
        for j in range(per_point)
    ]


def test_weakest_points_are_ranked_first() -> None:
    ranked = rank_points([point(1, 0.8), point(2, 0.2), point(3, 0.5), point(4, 0.1, taught=False)])
    assert [kp for kp, _ in ranked] == [2, 3, 1]  # point 4 was not taught this term: not ranked


def test_nudges_only_reorder_points_of_similar_weakness() -> None:
    foundation = PointState(1, "基础", 0.40, 0.5, 5, True, n_dependants=10)
    leaf = PointState(2, "末梢", 0.41, 0.5, 5, True)
    much_weaker = PointState(3, "很弱", 0.20, 0.5, 5, True)
    ranked = [kp for kp, _ in rank_points([leaf, foundation, much_weaker], PriorityWeights())]
    assert ranked == [3, 1, 2]


def test_weak_prerequisite_is_practised_before_the_point_that_needs_it() -> None:
    points = [point(1, 0.30), point(2, 0.10, needs=(1,)), point(3, 0.9)]
    policy = SelectionPolicy(n_items=4, n_weak=1)
    selection = select_practice(points, bank([1, 2, 3]), policy)
    order = [choice.kp_id for choice in selection.items]
    assert set(order) == {1, 2}
    assert order.index(1) < order.index(2)  # every item on the prerequisite comes first
    assert max(i for i, kp in enumerate(order) if kp == 1) < min(
        i for i, kp in enumerate(order) if kp == 2
    )
    roles = {t.kp_id: t.role for t in selection.targets}
    assert roles == {1: "prerequisite", 2: "weak"}
    assert "是「知识点2」的先修" in selection.targets[0].reason


def test_prerequisite_that_is_itself_among_the_weakest_is_targeted_as_weak() -> None:
    points = [point(1, 0.15), point(2, 0.10, needs=(1,)), point(3, 0.9)]
    selection = select_practice(points, bank([1, 2, 3]), SelectionPolicy(n_items=4, n_weak=2))
    assert selection.weak_kp_ids == [2, 1]
    assert [t.kp_id for t in selection.targets] == [1, 2]  # practice order: foundation first


def test_mastered_prerequisite_is_named_in_the_reason() -> None:
    points = [point(1, 0.9), point(2, 0.2, needs=(1,))]
    selection = select_practice(points, bank([1, 2]), SelectionPolicy(n_items=2, n_weak=1))
    assert {c.kp_id for c in selection.items} == {2}
    assert "其先修「知识点1」熟练" in selection.items[0].reason


def test_items_in_the_success_band_are_preferred_when_the_bank_has_them() -> None:
    candidates = [item(1, 1, 0.30), item(2, 1, 0.65), item(3, 1, 0.95), item(4, 1, 0.75)]
    policy = SelectionPolicy(n_items=2, n_weak=1, type_weight=0.0)
    selection = select_practice([point(1, 0.3)], candidates, policy)
    assert sorted(c.item_id for c in selection.items) == [2, 4]
    assert all(c.is_in_band for c in selection.items)
    assert [c.predicted_success for c in selection.items] == [0.75, 0.65]  # easier first


def test_closest_item_is_taken_when_none_is_in_the_band() -> None:
    candidates = [item(1, 1, 0.20), item(2, 1, 0.45)]
    selection = select_practice([point(1, 0.2)], candidates, SelectionPolicy(n_items=1))
    (choice,) = selection.items
    assert choice.item_id == 2 and not choice.is_in_band
    assert "最接近" in choice.reason


def test_recently_correct_items_are_never_chosen() -> None:
    candidates = [
        item(1, 1, 0.70, is_recently_correct=True),
        item(2, 1, 0.40),
        item(3, 2, 0.70, is_recently_correct=True),
    ]
    selection = select_practice([point(1, 0.3), point(2, 0.2)], candidates, SelectionPolicy())
    assert [c.item_id for c in selection.items] == [2]
    assert selection.weak_kp_ids == [1]  # point 2 has nothing left to practise


def test_item_types_are_mixed() -> None:
    candidates = [item(i, 1, 0.70) for i in range(1, 9)] + [item(9, 1, 0.55, "fill_in")]
    policy = SelectionPolicy(n_items=3, max_items_per_kp=3)
    selection = select_practice([point(1, 0.3)], candidates, policy)
    types = {c.item_type for c in candidates if c.item_id in {s.item_id for s in selection.items}}
    assert types == {"single_choice", "fill_in"}


def test_one_type_is_swapped_out_even_without_a_type_penalty() -> None:
    candidates = [item(i, 1, 0.70) for i in range(1, 5)] + [item(9, 1, 0.30, "essay")]
    policy = SelectionPolicy(n_items=3, max_items_per_kp=3, type_weight=0.0)
    selection = select_practice([point(1, 0.3)], candidates, policy)
    assert 9 in {c.item_id for c in selection.items}
    assert len(selection.items) == 3


@pytest.mark.parametrize("n_items", [1, 3, 10])
def test_exactly_n_items_when_the_bank_allows(n_items: int) -> None:
    points = [point(k, 0.1 * k) for k in range(1, 7)]
    selection = select_practice(points, bank(list(range(1, 7))), SelectionPolicy(n_items=n_items))
    assert len(selection.items) == n_items
    assert len({c.item_id for c in selection.items}) == n_items


def test_a_small_bank_gives_every_usable_item_and_no_more() -> None:
    points = [point(1, 0.2), point(2, 0.3)]
    selection = select_practice(points, bank([1, 2], per_point=2), SelectionPolicy(n_items=10))
    assert len(selection.items) == 4


def test_next_ranked_point_joins_when_the_targets_run_out_of_items() -> None:
    points = [point(k, 0.1 * k) for k in range(1, 6)]
    policy = SelectionPolicy(n_items=6, n_weak=1, max_items_per_kp=2)
    selection = select_practice(points, bank([1, 2, 3, 4, 5]), policy)
    assert len(selection.items) == 6
    assert selection.weak_kp_ids == [1, 2, 3]


def test_every_choice_has_a_reason_naming_its_point_and_predicted_success() -> None:
    points = [point(k, 0.1 * k, needs=(k - 1,) if k > 1 else ()) for k in range(1, 6)]
    selection = select_practice(points, bank(list(range(1, 6))), SelectionPolicy())
    for choice in selection.items:
        assert f"「知识点{choice.kp_id}」需要巩固（掌握度" in choice.reason
        assert f"预计答对率 {choice.predicted_success:.2f}" in choice.reason
    for target in selection.targets:
        assert f"「知识点{target.kp_id}」" in target.reason and target.n_items > 0


def test_level_words_come_from_the_one_mastery_rule() -> None:
    words = [levels.band_word(v) for v in (0.1, 0.49, 0.5, 0.79, 0.8, 0.95)]
    assert words == ["需要巩固", "需要巩固", "基本掌握", "基本掌握", "熟练", "熟练"]
    assert levels.band_word(0.9, n_evidence=0) == "暂无作答"
    assert WEAK_LEVEL == levels.NEEDS_WORK_BELOW


@pytest.mark.parametrize("band", [(0.8, 0.6), (-0.1, 0.5), (0.5, 1.2)])
def test_policy_rejects_a_bad_band(band: tuple[float, float]) -> None:
    with pytest.raises(ValueError, match="success_band"):
        SelectionPolicy(success_band=band)


def test_reteach_keeps_three_to_five_points_most_urgent_first() -> None:
    rng = np.random.default_rng(0)
    points = [
        ClassPoint(k, f"知识点{k}", np.clip(rng.normal(0.2 + 0.1 * k, 0.1, 40), 0, 1))
        for k in range(8)
    ]
    chosen = rank_reteach(points)
    assert 3 <= len(chosen) <= 5
    assert [c.kp_id for c in chosen[:3]] == [0, 1, 2]
    assert all(c.n_students == 40 and "全班平均掌握水平" in c.reason for c in chosen)
    strong = [ClassPoint(k, f"知识点{k}", np.full(30, 0.9)) for k in range(6)]
    assert len(rank_reteach(strong)) == 3  # the floor: three, even for a strong class


def test_most_informative_items_are_the_diagnostic_ones() -> None:
    candidates = [
        DiagnosticCandidate(1, 0.10, 0.9, 0.8, -1.5),
        DiagnosticCandidate(2, 0.40, 0.5, 1.6, 0.0),
        DiagnosticCandidate(3, 0.25, 0.6, 1.2, -0.3),
        DiagnosticCandidate(4, 0.05, 0.95, 0.7, -2.0),
    ]
    chosen = pick_diagnostic(candidates, n_items=3)
    assert [c.item_id for c in chosen] == [2, 3, 1]
    assert "区分度 1.60" in chosen[0].reason


def test_probit_approximation_matches_monte_carlo() -> None:
    draws = np.random.default_rng(1).normal(0.7, 1.3, 400_000)
    assert float(expected_sigmoid(0.7, 1.3**2)) == pytest.approx(expit(draws).mean(), abs=0.01)


def test_predicted_success_adds_guessing_and_mixes_tagged_points() -> None:
    params = ItemParameters(
        discrimination=np.array([1.0, 2.0]),
        difficulty=np.array([0.0, 0.5]),
        guessing=np.array([0.25, 0.0]),
        q_weights=np.array([[1.0, 0.0], [0.5, 0.5]]),
    )
    mean = np.array([[1.0, -1.0]])
    tiny = np.full((1, 2), 1e-6)
    success = predicted_success(params, mean, tiny, np.array([0, 1]))
    assert success[0, 0] == pytest.approx(0.25 + 0.75 * expit(1.0))
    assert success[0, 1] == pytest.approx(0.5 * expit(1.0) + 0.5 * expit(-3.0))
    information = item_information(params, mean, np.array([0]), 0)
    p = 0.25 + 0.75 * expit(1.0)
    slope = 0.75 * expit(1.0) * (1 - expit(1.0))
    assert information[0, 0] == pytest.approx(slope**2 / (p * (1 - p)))


def test_a_point_without_items_in_the_band_gets_one_item_and_the_next_point_joins() -> None:
    points = [point(1, 0.05), point(2, 0.3), point(3, 0.35)]
    hard = [item(100 + i, 1, 0.2) for i in range(3)]  # far below the band: one of them only
    fitting = [item(200 + i, 2, 0.7) for i in range(3)] + [item(300 + i, 3, 0.65) for i in range(3)]
    selection = select_practice(points, hard + fitting, SelectionPolicy(n_items=6, n_weak=1))
    on_point = Counter(c.kp_id for c in selection.items)
    assert on_point[1] == 1 and on_point[2] == 3 and on_point[3] == 2
    assert sum(c.is_in_band for c in selection.items) == 5


def test_out_of_band_items_still_fill_the_set_when_no_point_is_left() -> None:
    points = [point(1, 0.05)]
    hard = [item(100 + i, 1, 0.2) for i in range(3)]
    selection = select_practice(points, hard, SelectionPolicy(n_items=3))
    assert len(selection.items) == 3  # the bank allows three: the set is not left short
