"""The simulated semester: valid data, realistic effects, planted cases that can be found."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest

from yincai.demo.simulate import (
    Cohort,
    Curriculum,
    ExamPlan,
    ItemPool,
    Semester,
    simulate_semester,
)

N_WEEKS = 20
EXAM_WEEKS = (4, 9, 19)
GRADES = (7, 8, 9)
KPS_PER_GRADE = 60  # half from the spring semester, half taught this autumn
ITEMS_PER_GRADE = 120

District = tuple[Semester, Cohort, Curriculum, ItemPool]
FloatArray = npt.NDArray[np.float64]


def make_cohort(n_students: int, rng: np.random.Generator) -> Cohort:
    """12 schools (4 urban, 4 township, 4 rural), four classes per grade, urban classes larger."""
    setting = np.repeat([0, 1, 2], 4)
    school_of_class = np.repeat(np.arange(12), 12)
    grade_of_class = np.tile(np.repeat(GRADES, 4), 12)
    size_weight = np.array([1.4, 1.0, 0.6])[setting[school_of_class]]
    class_of_student = np.sort(
        rng.choice(school_of_class.size, n_students, p=size_weight / size_weight.sum())
    )
    return Cohort(class_of_student, school_of_class, setting, grade_of_class)


def make_curriculum(rng: np.random.Generator) -> Curriculum:
    """Per grade: 30 earlier KPs, then 30 taught over weeks 0-17; each KP needs 1-2 earlier ones."""
    grade_of_kp = np.repeat(GRADES, KPS_PER_GRADE)
    rank = np.tile(np.arange(KPS_PER_GRADE), len(GRADES))
    is_before = rank < KPS_PER_GRADE // 2
    teach_week = np.where(is_before, -1, (rank - KPS_PER_GRADE // 2) * 18 // (KPS_PER_GRADE // 2))
    edges = [
        (kp, int(prerequisite))
        for kp in range(grade_of_kp.size)
        if kp % KPS_PER_GRADE or kp >= KPS_PER_GRADE  # the very first KP has none
        for prerequisite in rng.choice(
            np.arange(max(0, kp - 8), kp), size=min(kp, int(rng.integers(1, 3))), replace=False
        )
    ]
    return Curriculum(grade_of_kp, teach_week, is_before, np.array(edges, dtype=np.int64))


def make_items(curriculum: Curriculum, rng: np.random.Generator) -> ItemPool:
    """Items of each grade: choice and fill-in 0 or full, short answer and essay partial credit."""
    n_items = ITEMS_PER_GRADE * len(GRADES)
    grade = np.repeat(GRADES, ITEMS_PER_GRADE)
    weights = np.zeros((n_items, curriculum.grade_of_kp.size))
    for item in range(n_items):
        # A main KP plus up to two of the KPs taught just before it, as real items combine them.
        main = int(rng.choice(np.flatnonzero(curriculum.grade_of_kp == grade[item])))
        near = np.arange(max(main - 4, main - main % KPS_PER_GRADE), main)
        extra = rng.choice(near, size=min(near.size, int(rng.integers(0, 3))), replace=False)
        tagged = np.concatenate([[main], extra]).astype(np.int64)
        weights[item, tagged] = rng.dirichlet(np.full(tagged.size, 2.0))
        weights[item, main] += 1.0
        weights[item] /= weights[item].sum()
    kind = rng.choice(4, n_items, p=[0.45, 0.2, 0.25, 0.1])  # choice, fill-in, short, essay
    full = np.select(
        [kind == 0, kind == 1, kind == 2],
        [rng.integers(3, 5, n_items), np.full(n_items, 4), rng.integers(6, 9, n_items)],
        rng.integers(10, 13, n_items),
    ).astype(float)
    return ItemPool(
        kp_weights=weights,
        difficulty=rng.normal(0.0, 0.8, n_items),
        discrimination=rng.uniform(0.8, 2.0, n_items),
        full_score=full,
        is_partial_credit=kind >= 2,
        grade=grade,
        guessing=np.where(kind == 0, 0.25, 0.0),
    )


def make_exams(
    curriculum: Curriculum, items: ItemPool, rng: np.random.Generator, missing_class: int
) -> list[ExamPlan]:
    """25 items per grade on KPs taught this semester by the exam week; one class missing once."""
    plans = []
    for exam, week in enumerate(EXAM_WEEKS):
        by_grade = {}
        for grade in GRADES:
            kp_week = np.where(curriculum.is_taught_before, 10**6, curriculum.teach_week)
            item_week = np.where(items.kp_weights > 0, kp_week[None, :], -1).max(axis=1)
            ready = np.flatnonzero((items.grade == grade) & (item_week <= week))
            by_grade[grade] = np.sort(rng.choice(ready, size=min(25, ready.size), replace=False))
        missing = (missing_class,) if exam == 1 else ()
        plans.append(ExamPlan(week, by_grade, missing))
    return plans


def run(n_students: int, seed: int) -> District:
    setup = np.random.default_rng(1000 + seed)
    cohort = make_cohort(n_students, setup)
    curriculum = make_curriculum(setup)
    items = make_items(curriculum, setup)
    exams = make_exams(curriculum, items, setup, missing_class=7)
    semester = simulate_semester(
        cohort, curriculum, items, n_weeks=N_WEEKS, exams=exams, rng=np.random.default_rng(seed)
    )
    return semester, cohort, curriculum, items


@pytest.fixture(scope="module")
def district() -> District:
    return run(6500, seed=3)


def score_rate(semester: Semester, items: ItemPool, exam: int) -> FloatArray:
    """Share of the points given that each student scored; NaN when nothing was observed."""
    scores = semester.exam_scores[exam]
    given = np.where(np.isnan(scores), 0.0, items.full_score).sum(axis=1)
    with np.errstate(invalid="ignore"):
        return np.where(given > 0, np.nansum(scores, axis=1) / given, np.nan)


def z_within_grade(rate: FloatArray, cohort: Cohort) -> FloatArray:
    grade = cohort.grade_of_class[cohort.class_of_student]
    z = np.full_like(rate, np.nan)
    for g in GRADES:
        rows = grade == g
        z[rows] = (rate[rows] - np.nanmean(rate[rows])) / np.nanstd(rate[rows])
    return z


def test_same_seed_gives_the_same_semester_and_another_seed_does_not() -> None:
    first, second, other = run(800, seed=5)[0], run(800, seed=5)[0], run(800, seed=6)[0]
    np.testing.assert_array_equal(first.mastery, second.mastery)
    for a, b in zip(first.exam_scores, second.exam_scores, strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(first.homework.score, second.homework.score)
    np.testing.assert_array_equal(
        first.homework.day_offset_seconds, second.homework.day_offset_seconds
    )
    np.testing.assert_array_equal(
        first.planted.declining_students, second.planted.declining_students
    )
    assert not np.array_equal(first.mastery, other.mastery)


def test_scores_respect_full_score_and_partial_credit(district: District) -> None:
    semester, _, _, items = district
    for scores in semester.exam_scores:
        observed = ~np.isnan(scores)
        full = np.broadcast_to(items.full_score, scores.shape)[observed]
        values = scores[observed]
        partial = np.broadcast_to(items.is_partial_credit, scores.shape)[observed]
        assert ((values >= 0) & (values <= full) & (values == np.round(values))).all()
        assert np.isin(values[~partial] / full[~partial], (0.0, 1.0)).all()
        between = (values[partial] > 0) & (values[partial] < full[partial])
        assert between.mean() > 0.4  # partial marks are common, not rare
    homework = semester.homework
    full = items.full_score[homework.item]
    assert ((homework.score >= 0) & (homework.score <= full)).all()
    np.testing.assert_array_equal(homework.correct, homework.score == full)


def test_absent_students_and_the_missing_class_have_no_scores(district: District) -> None:
    semester, cohort, _, items = district
    grade = cohort.grade_of_class[cohort.class_of_student]
    assert semester.planted.missing_class_exams == ((1, 7),)
    for exam, (scores, absent) in enumerate(
        zip(semester.exam_scores, semester.exam_absent, strict=True)
    ):
        observed = ~np.isnan(scores)
        assert 0.01 < absent.mean() < 0.05
        assert not observed[absent].any()
        missing = cohort.class_of_student == 7
        assert observed[missing].any() == (exam != 1)
        other_grade = items.grade[None, :] != grade[:, None]
        assert not observed[other_grade].any()
        sat = ~absent & ~(missing & (exam == 1))
        assert observed[sat].any(axis=1).all()
    chronic = semester.planted.chronic_absentees
    n_sat = (~np.vstack(semester.exam_absent)[:, chronic]).sum(axis=0)
    assert n_sat.max() <= 1  # a planted chronic absentee misses every exam but at most one
    assert chronic.size >= 2


def test_urban_students_outscore_rural_students(district: District) -> None:
    semester, cohort, _, items = district
    setting = cohort.school_setting[cohort.school_of_class[cohort.class_of_student]]
    for exam in range(len(EXAM_WEEKS)):
        rate = score_rate(semester, items, exam)
        urban, township, rural = (np.nanmean(rate[setting == s]) for s in (0, 1, 2))
        assert urban > township > rural
        assert urban - rural > 0.08


def test_declining_students_fall_across_exams_more_than_others(district: District) -> None:
    semester, cohort, _, items = district
    change = z_within_grade(score_rate(semester, items, 2), cohort) - z_within_grade(
        score_rate(semester, items, 0), cohort
    )
    declining = np.zeros(change.size, dtype=bool)
    declining[semester.planted.declining_students] = True
    assert 0.005 < declining.mean() < 0.02
    assert np.nanmean(change[declining]) < np.nanmean(change[~declining]) - 2 * np.nanstd(
        change[~declining]
    )


def test_underperforming_classes_score_below_what_their_intake_predicts(district: District) -> None:
    semester, cohort, _, items = district
    final = z_within_grade(score_rate(semester, items, 2), cohort)
    seen = ~np.isnan(final)
    design = np.column_stack([np.ones(seen.sum()), semester.intake_score[seen]])
    coef = np.linalg.lstsq(design, final[seen], rcond=None)[0]
    classes = cohort.class_of_student[seen]
    n_classes = cohort.school_of_class.size
    residual = np.bincount(classes, final[seen] - design @ coef, n_classes) / np.maximum(
        np.bincount(classes, minlength=n_classes), 1
    )
    planted = semester.planted.underperforming_classes
    ordinary = ~np.isin(np.arange(n_classes), planted) & ~np.isin(
        cohort.school_of_class, semester.planted.widening_gap_schools
    )
    assert planted.size == 2
    assert (residual[planted] < residual[ordinary].mean() - 2.5 * residual[ordinary].std()).all()
    assert np.abs(semester.student_ability[np.isin(cohort.class_of_student, planted)].mean()) < 0.5


def test_widening_gap_schools_fall_further_behind(district: District) -> None:
    semester, cohort, _, items = district
    school = cohort.school_of_class[cohort.class_of_student]
    widening = np.isin(school, semester.planted.widening_gap_schools)
    assert (cohort.school_setting[semester.planted.widening_gap_schools] == 2).all()
    gaps = []
    for exam in range(len(EXAM_WEEKS)):
        z = z_within_grade(score_rate(semester, items, exam), cohort)
        gaps.append(np.nanmean(z[~widening]) - np.nanmean(z[widening]))
    assert gaps[2] > gaps[0] + 0.2


def test_mastery_rises_when_a_kp_is_taught_and_not_before(district: District) -> None:
    semester, cohort, curriculum, _ = district
    grade = cohort.grade_of_class[cohort.class_of_student]
    first, second = EXAM_WEEKS[0], EXAM_WEEKS[1]
    np.testing.assert_array_equal(semester.checkpoint_weeks, [*EXAM_WEEKS, N_WEEKS])
    for g in GRADES:
        rows = grade == g
        taught = (curriculum.grade_of_kp == g) & ~curriculum.is_taught_before
        between = taught & (curriculum.teach_week > first) & (curriculum.teach_week <= second)
        later = taught & (curriculum.teach_week > second)
        rise = semester.mastery[1][rows] - semester.mastery[0][rows]
        assert rise[:, between].mean() > 0.3
        assert np.abs(rise[:, later].mean()) < 0.02


def test_exam_scores_are_informative_about_true_mastery(district: District) -> None:
    semester, _, _, items = district
    main_kp = items.kp_weights.argmax(axis=1)
    for exam, scores in enumerate(semester.exam_scores):
        rates, truth = [], []
        for kp in np.unique(main_kp[~np.isnan(scores).all(axis=0)]):
            kp_items = np.flatnonzero((main_kp == kp) & ~np.isnan(scores).all(axis=0))
            sat = ~np.isnan(scores[:, kp_items]).any(axis=1)
            rates.append(scores[sat][:, kp_items].sum(axis=1) / items.full_score[kp_items].sum())
            truth.append(semester.mastered[exam][sat, kp])
        correlation = np.corrcoef(np.concatenate(rates), np.concatenate(truth))[0, 1]
        assert correlation > 0.3


def test_homework_is_done_in_the_evening_about_six_items_a_week(district: District) -> None:
    semester, cohort, _, _ = district
    homework = semester.homework
    per_student_week = homework.student.size / (cohort.class_of_student.size * N_WEEKS)
    assert 5.2 < per_student_week < 6.0  # six assigned, about 5 % skipped
    hour = homework.day_offset_seconds % 86400 / 3600
    assert ((hour >= 18) & (hour < 22)).all()
    assert (np.diff(homework.week) >= 0).all()


def test_bad_input_names_the_argument() -> None:
    setup = np.random.default_rng(0)
    cohort, curriculum = make_cohort(100, setup), make_curriculum(setup)
    items = make_items(curriculum, setup)
    bad_plan = ExamPlan(week=N_WEEKS, items_by_grade={7: np.array([0])})
    with pytest.raises(ValueError, match=r"exams\[0\]\.week"):
        simulate_semester(cohort, curriculum, items, exams=[bad_plan], rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"items\.kp_weights"):
        simulate_semester(
            cohort,
            curriculum,
            ItemPool(**{**items.__dict__, "kp_weights": items.kp_weights[:, :-1]}),
            exams=[],
            rng=np.random.default_rng(0),
        )


def test_homework_is_missed_whole_and_declining_students_miss_more(district: District) -> None:
    semester, cohort, _, _ = district
    homework = semester.homework
    n_weeks_set = np.unique(homework.set_week).size
    # every attempt answers an item its class was set that week
    set_keys = set(
        zip(
            homework.set_class.tolist(),
            homework.set_week.tolist(),
            homework.set_item.tolist(),
            strict=True,
        )
    )
    attempt_class = cohort.class_of_student[homework.student]
    attempt_keys = zip(
        attempt_class.tolist(), homework.week.tolist(), homework.item.tolist(), strict=True
    )
    assert all(key in set_keys for key in attempt_keys)
    handed_in = np.zeros((cohort.class_of_student.size, N_WEEKS), dtype=bool)
    handed_in[homework.student, homework.week] = True
    weeks = np.unique(homework.set_week)
    missed = (~handed_in[:, weeks]).sum(axis=1) / n_weeks_set
    declining = np.zeros(missed.size, dtype=bool)
    declining[semester.planted.declining_students] = True
    assert 0.02 < missed[~declining].mean() < 0.08  # about 5 % of the work set
    assert missed[declining].mean() > 2.5 * missed[~declining].mean()
