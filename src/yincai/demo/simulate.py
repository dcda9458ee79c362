"""One simulated semester of a district: hidden mastery of each knowledge point, and its data.

The ground truth is a latent state per student and knowledge point (KP), in logits; P(mastered) is
its sigmoid. Week by week (teach → practise → forget → sit exams):

* KPs of earlier semesters start partially retained; KPs not yet taught start low.
* At its teach week a KP jumps by a gain that grows with general ability, the teacher (class)
  effect, the student's aptitude for that KP and the mastery of its prerequisites.
* Homework (the same few items for a whole class, on recently taught KPs) adds a little mastery.
* Mastery decays slowly towards a floor that depends on ability.
* Exams and homework are scored by a 3PL-like model on a conjunctive mix of the item's KPs, with
  binomial partial credit for short-answer and essay items.

Planted cases (declining students, underperforming classes, widening-gap schools, absentees) are
described in :mod:`yincai.demo.planted`. Everything is drawn from the one ``rng``: a seed fixes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt
from scipy.special import expit

from yincai.demo.learning import (
    FORGET_RATE,
    forget,
    initial_logit,
    prerequisite_lists,
    retention_floor,
    taught_week_of,
    teach,
)
from yincai.demo.planted import (
    DECLINE_DRIFT,
    UNDERPERFORMING_TEACHER_EFFECT,
    Planted,
    PlantedEffects,
    choose_planted,
)
from yincai.demo.responses import HomeworkLog, ItemTable, do_homework, draw_scores

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
Float32Array = npt.NDArray[np.float32]
BoolArray = npt.NDArray[np.bool_]

__all__ = [
    "Cohort",
    "Curriculum",
    "ExamPlan",
    "HomeworkLog",
    "Intake",
    "ItemPool",
    "LatentTruth",
    "Planted",
    "PlantedCases",
    "Semester",
    "shared_and_general",
    "simulate_semester",
    "subject_intake",
]

# General ability is in SD units; these shifts are the district's urban-rural intake gap.
SETTING_SHIFT = np.array([0.3, 0.0, -0.35])  # urban, township, rural
SCHOOL_SD = 0.2
CLASS_INTAKE_SD = 0.15
TEACHER_SD = 0.3  # logits of learning gain
SETTING_TEACHING = np.array([0.2, 0.0, -0.2])  # rural schools struggle to recruit maths teachers
KP_APTITUDE_SD = 0.5
INTAKE_NOISE = 0.3  # prior-year score measures ability with this much SD-unit error
ABSENCE = 0.02
HOMEWORK_SKIP = 0.05  # a week's homework not handed in at all (缺交)
EXAM_DAY_SD = 0.35  # a good or bad day shifts every item of one exam
SUBJECT_LOADING = 0.85  # on general ability: subjects' abilities correlate about 0.72
UNIQUE_SD = float(np.sqrt(1 - SUBJECT_LOADING**2))  # keeps each subject's own part at SD 1


@dataclass(frozen=True)
class Cohort:
    """Who studies where: students, classes, schools.

    Attributes
    ----------
    class_of_student : IntArray, shape (n_students,)
    school_of_class : IntArray, shape (n_classes,)
    school_setting : IntArray, shape (n_schools,)
        0 urban, 1 township, 2 rural.
    grade_of_class : IntArray, shape (n_classes,)
        7, 8 or 9.
    """

    class_of_student: IntArray
    school_of_class: IntArray
    school_setting: IntArray
    grade_of_class: IntArray


@dataclass(frozen=True)
class Curriculum:
    """Knowledge points, when each is taught, and their prerequisites.

    Attributes
    ----------
    grade_of_kp : IntArray, shape (n_kps,)
    teach_week : IntArray, shape (n_kps,)
        Week (0..n_weeks-1) of this semester the KP is taught to its grade; -1 if not this semester.
    is_taught_before : BoolArray, shape (n_kps,)
        The KP belongs to an earlier semester of its grade. For a class, KPs of lower grades are
        also "before" and KPs of higher grades "not yet".
    prerequisites : IntArray, shape (n_edges, 2)
        Rows (kp, prerequisite kp).
    """

    grade_of_kp: IntArray
    teach_week: IntArray
    is_taught_before: BoolArray
    prerequisites: IntArray


@dataclass(frozen=True)
class ItemPool:
    """Items with designed parameters.

    Attributes
    ----------
    kp_weights : FloatArray, shape (n_items, n_kps)
        Rows sum to 1; one to three non-zero entries.
    difficulty, discrimination, full_score : FloatArray, shape (n_items,)
    is_partial_credit : BoolArray, shape (n_items,)
        Short-answer and essay items (0..full); the others score 0 or full.
    grade : IntArray, shape (n_items,)
    guessing : FloatArray or None, shape (n_items,)
        Lower asymptote; None gives 0.2 to objective items (a mix of choice ≈ 0.25 and fill-in
        ≈ 0) and 0 to partial-credit items.
    """

    kp_weights: FloatArray
    difficulty: FloatArray
    discrimination: FloatArray
    full_score: FloatArray
    is_partial_credit: BoolArray
    grade: IntArray
    guessing: FloatArray | None = None


@dataclass(frozen=True)
class ExamPlan:
    """One district exam, sat at the end of ``week``.

    Attributes
    ----------
    week : int
    items_by_grade : dict of int to IntArray
        Item indices given to each grade.
    missing_classes : tuple of int
        Planted data-quality anomaly: classes whose scores never arrive (the students did sit).
    absent : BoolArray or None, shape (n_students,)
        Who is away, when another subject's sitting of the same joint exam decided it (a
        student away on the exam days misses every paper); None draws absence.
    """

    week: int
    items_by_grade: dict[int, IntArray]
    missing_classes: tuple[int, ...] = ()
    absent: BoolArray | None = None


@dataclass(frozen=True)
class Intake:
    """Who enrolled: the ability each student brings, for a subject simulated after another.

    Attributes
    ----------
    ability : FloatArray, shape (n_students,)
        Ability in the subject, in SD units (setting, school and class intake included).
    school_effect : FloatArray, shape (n_schools,)
    class_intake_effect : FloatArray, shape (n_classes,)
    """

    ability: FloatArray
    school_effect: FloatArray
    class_intake_effect: FloatArray


@dataclass(frozen=True)
class PlantedCases:
    """The planted cases of a semester already simulated, shared by another subject: the same
    students decline and miss exams, the same schools fall behind and the same classes are
    taught poorly (in every subject: a class whose teaching team struggles)."""

    planted: Planted
    effects: PlantedEffects


@dataclass(frozen=True)
class LatentTruth:
    """The hidden parameters behind the semester, for checking models that estimate them.

    Attributes
    ----------
    teacher_effect : FloatArray, shape (n_classes,)
        Logits added to every learning gain of the class (planted classes included).
    school_effect : FloatArray, shape (n_schools,)
        Ability shift in SD units, on top of the setting shift.
    class_intake_effect : FloatArray, shape (n_classes,)
        Ability shift in SD units of who enrolled in each class.
    kp_aptitude : Float32Array, shape (n_students, n_kps)
        Idiosyncratic aptitude, logits.
    """

    teacher_effect: FloatArray
    school_effect: FloatArray
    class_intake_effect: FloatArray
    kp_aptitude: Float32Array


@dataclass(frozen=True)
class Semester:
    """Ground truth and observed data of one simulated semester.

    Attributes
    ----------
    mastery : Float32Array, shape (n_checkpoints, n_students, n_kps)
        P(mastered) at each exam (in exam order) and, last, at the end of the semester.
    checkpoint_weeks : IntArray, shape (n_checkpoints,)
        Week of each checkpoint; the end of the semester is ``n_weeks``.
    latent : LatentTruth
    exam_scores : list of Float32Array, shape (n_students, n_items)
        Per exam; NaN where the item was not given, the student was absent or the class is missing.
    exam_absent : list of BoolArray, shape (n_students,)
        Per exam, whether the student was absent (students of a missing class may still have sat).
    homework : HomeworkLog
    planted : Planted
    student_ability : FloatArray, shape (n_students,)
        General ability in SD units (setting, school and class intake included; teacher not).
    intake_score : FloatArray, shape (n_students,)
        Prior-year maths score, 0-100: a noisy measure of ability, for value-added models.
    effects : PlantedEffects
        The planted cases per student, to share with another subject's semester.
    """

    mastery: Float32Array
    checkpoint_weeks: IntArray
    latent: LatentTruth
    exam_scores: list[Float32Array]
    exam_absent: list[BoolArray]
    homework: HomeworkLog
    planted: Planted
    student_ability: FloatArray
    intake_score: FloatArray
    effects: PlantedEffects

    @property
    def mastered(self) -> BoolArray:
        """Binary truth, P(mastered) ≥ 0.5, shape (n_checkpoints, n_students, n_kps)."""
        return self.mastery >= 0.5


def simulate_semester(
    cohort: Cohort,
    curriculum: Curriculum,
    items: ItemPool,
    *,
    n_weeks: int = 20,
    exams: Sequence[ExamPlan],
    homework_items_per_week: int = 6,
    rng: np.random.Generator,
    intake: Intake | None = None,
    shared: PlantedCases | None = None,
) -> Semester:
    """Simulate one semester of teaching, homework and exams for a whole district.

    Parameters
    ----------
    cohort : Cohort
    curriculum : Curriculum
    items : ItemPool
    n_weeks : int
    exams : sequence of ExamPlan
        Each sat at the end of its week, after that week's teaching and homework.
    homework_items_per_week : int
        Items assigned to each class each week; each student skips about 5 %.
    rng : numpy.random.Generator
        The only source of randomness.
    intake : Intake, optional
        The students' ability in this subject; None draws it (setting, school, class, student).
    shared : PlantedCases, optional
        Planted cases of another subject's semester to reuse; None chooses them.

    Returns
    -------
    Semester
    """
    _check_inputs(cohort, curriculum, items, n_weeks, exams, homework_items_per_week)
    class_of_student = np.asarray(cohort.class_of_student, dtype=np.int64)
    school_of_class = np.asarray(cohort.school_of_class, dtype=np.int64)
    setting = np.asarray(cohort.school_setting, dtype=np.int64)
    grade_of_student = np.asarray(cohort.grade_of_class, dtype=np.int64)[class_of_student]
    n_students, n_kps = class_of_student.size, np.asarray(curriculum.grade_of_kp).size
    students_of_grade = {
        int(grade): np.flatnonzero(grade_of_student == grade)
        for grade in np.unique(grade_of_student)
    }

    if intake is None:
        school_effect = rng.normal(0.0, SCHOOL_SD, setting.size)
        class_intake = rng.normal(0.0, CLASS_INTAKE_SD, school_of_class.size)
        school_of_student = school_of_class[class_of_student]
        ability = (
            SETTING_SHIFT[setting[school_of_student]]
            + school_effect[school_of_student]
            + class_intake[class_of_student]
            + rng.standard_normal(n_students)
        )
    else:
        ability = np.asarray(intake.ability, dtype=np.float64)
        school_effect = np.asarray(intake.school_effect, dtype=np.float64)
        class_intake = np.asarray(intake.class_intake_effect, dtype=np.float64)
    measured = ability + rng.normal(0.0, INTAKE_NOISE, n_students)
    intake_score = np.round(100 * expit(0.5 + 1.2 * measured))
    if shared is None:
        planted, effects, teacher_shift = choose_planted(
            class_of_student=class_of_student,
            school_of_class=school_of_class,
            school_setting=setting,
            intake=ability,
            n_weeks=n_weeks,
            rng=rng,
            exam_weeks=[plan.week for plan in exams],
        )
    else:
        planted, effects = shared.planted, shared.effects
        teacher_shift = np.zeros(school_of_class.size)
        teacher_shift[planted.underperforming_classes] = UNDERPERFORMING_TEACHER_EFFECT
    teacher_effect = (
        SETTING_TEACHING[setting[school_of_class]]
        + rng.normal(0.0, TEACHER_SD, school_of_class.size)
        + teacher_shift
    )
    aptitude = rng.standard_normal((n_students, n_kps), dtype=np.float32)
    aptitude *= np.float32(KP_APTITUDE_SD)

    kp_grade = np.asarray(curriculum.grade_of_kp, dtype=np.int64)
    is_taught_before = np.asarray(curriculum.is_taught_before, dtype=bool)
    teach_week = np.asarray(curriculum.teach_week, dtype=np.int64)
    taught_week = {
        grade: taught_week_of(grade, kp_grade, is_taught_before, teach_week)
        for grade in students_of_grade
    }
    logit = initial_logit(taught_week, kp_grade, students_of_grade, ability, aptitude)
    floor = retention_floor(ability)
    prerequisites = prerequisite_lists(np.asarray(curriculum.prerequisites), n_kps)
    table = ItemTable.from_arrays(
        items.kp_weights,
        items.difficulty,
        items.discrimination,
        items.full_score,
        items.is_partial_credit,
        items.grade,
        items.guessing,
    )

    mastery = np.empty((len(exams) + 1, n_students, n_kps), dtype=np.float32)
    exam_scores: list[Float32Array] = [np.empty((0, 0), dtype=np.float32) for _ in exams]
    exam_absent: list[BoolArray] = [np.zeros(0, dtype=bool) for _ in exams]
    homework: list[HomeworkLog] = []
    scratch = np.empty_like(logit)
    for week in range(n_weeks):
        logit[effects.is_declining(week)] -= np.float32(DECLINE_DRIFT)
        shift = teacher_effect[class_of_student] + effects.gain_shift(week)
        multiplier = effects.gain_multiplier(week)
        skip = effects.homework_skip(week, HOMEWORK_SKIP)
        for grade, rows in students_of_grade.items():
            for kp in np.flatnonzero(taught_week[grade] == week):
                teach(
                    logit,
                    rows,
                    int(kp),
                    prerequisites[kp],
                    ability,
                    shift,
                    multiplier,
                    aptitude,
                    rng,
                )
            homework.append(
                do_homework(
                    logit,
                    rows=rows,
                    class_of_student=class_of_student,
                    grade=grade,
                    taught_week=taught_week[grade],
                    week=week,
                    n_items=homework_items_per_week,
                    skip=skip,
                    table=table,
                    rng=rng,
                )
            )
        forget(logit, floor, FORGET_RATE * effects.forgetting_multiplier(week), scratch)
        for index, plan in enumerate(exams):
            if plan.week == week:
                expit(logit, out=mastery[index])
                exam_scores[index], exam_absent[index] = _sit_exam(
                    logit, plan, effects, students_of_grade, class_of_student, table, rng
                )
    expit(logit, out=mastery[-1])

    missing = tuple(
        (index, int(class_index))
        for index, plan in enumerate(exams)
        for class_index in plan.missing_classes
    )
    return Semester(
        mastery=mastery,
        checkpoint_weeks=np.array([plan.week for plan in exams] + [n_weeks], dtype=np.int64),
        latent=LatentTruth(teacher_effect, school_effect, class_intake, aptitude),
        exam_scores=exam_scores,
        exam_absent=exam_absent,
        homework=HomeworkLog.concatenate(homework),
        planted=replace(planted, missing_class_exams=missing),
        student_ability=ability,
        intake_score=intake_score,
        effects=effects,
    )


def shared_and_general(
    first: Semester, cohort: Cohort, rng: np.random.Generator
) -> tuple[FloatArray, FloatArray]:
    """Split the first subject's ability into what school and class give every subject and the
    student's own part, and draw the general ability behind all subjects given that part.

    Each subject's own part is ``SUBJECT_LOADING × general + noise`` (a one-factor model), so
    two subjects correlate about ``SUBJECT_LOADING²`` and some students lean clearly to one
    (偏科). Returns (shared, general), both shape (n_students,), in SD units.
    """
    class_of_student = np.asarray(cohort.class_of_student, dtype=np.int64)
    school = np.asarray(cohort.school_of_class, dtype=np.int64)[class_of_student]
    setting = np.asarray(cohort.school_setting, dtype=np.int64)[school]
    shared = (
        SETTING_SHIFT[setting]
        + first.latent.school_effect[school]
        + first.latent.class_intake_effect[class_of_student]
    )
    own = first.student_ability - shared
    general = SUBJECT_LOADING * own + UNIQUE_SD * rng.standard_normal(own.size)
    return shared, general


def subject_intake(
    first: Semester, shared: FloatArray, general: FloatArray, rng: np.random.Generator
) -> Intake:
    """The intake of another subject: the shared school and class part, plus the student's own
    ability in it, drawn around the general ability (see :func:`shared_and_general`)."""
    own = SUBJECT_LOADING * general + UNIQUE_SD * rng.standard_normal(general.size)
    return Intake(shared + own, first.latent.school_effect, first.latent.class_intake_effect)


def _sit_exam(
    logit: Float32Array,
    plan: ExamPlan,
    effects: PlantedEffects,
    students_of_grade: dict[int, IntArray],
    class_of_student: IntArray,
    table: ItemTable,
    rng: np.random.Generator,
) -> tuple[Float32Array, BoolArray]:
    """Scores (n_students, n_items) with NaN where not observed, and absence (n_students,)."""
    n_students = class_of_student.size
    is_absent = rng.random(n_students) < effects.absence(plan.week, ABSENCE)
    if plan.absent is not None:
        is_absent = np.asarray(plan.absent, dtype=bool)
    day_effect = rng.normal(0.0, EXAM_DAY_SD, n_students)
    is_observed = ~is_absent & ~np.isin(class_of_student, plan.missing_classes)
    scores = np.full((n_students, table.full_score.size), np.nan, dtype=np.float32)
    for grade in sorted(plan.items_by_grade):
        rows = students_of_grade.get(grade, np.zeros(0, dtype=np.int64))
        exam_items = np.asarray(plan.items_by_grade[grade], dtype=np.int64)[None, :]
        if rows.size == 0 or exam_items.size == 0:
            continue
        ability = table.ability_input(logit, rows, exam_items) + day_effect[rows, None]
        drawn = draw_scores(ability, exam_items, table, rng)
        keep = is_observed[rows]
        scores[np.ix_(rows[keep], exam_items[0])] = drawn[keep]
    return scores, is_absent


def _check_inputs(
    cohort: Cohort,
    curriculum: Curriculum,
    items: ItemPool,
    n_weeks: int,
    exams: Sequence[ExamPlan],
    homework_items_per_week: int,
) -> None:
    """Raise ValueError naming the argument whose shape or values do not fit."""
    n_classes = np.asarray(cohort.school_of_class).size
    n_students = np.asarray(cohort.class_of_student).size
    n_schools = np.asarray(cohort.school_setting).size
    n_kps = np.asarray(curriculum.grade_of_kp).size
    weights = np.asarray(items.kp_weights)
    n_items = weights.shape[0] if weights.ndim == 2 else -1
    _check_indices("cohort.class_of_student", cohort.class_of_student, n_classes)
    _check_indices("cohort.school_of_class", cohort.school_of_class, n_schools)
    _check_indices("cohort.school_setting", cohort.school_setting, 3)
    if np.asarray(cohort.grade_of_class).shape != (n_classes,):
        raise ValueError(f"cohort.grade_of_class must have shape ({n_classes},)")
    if n_weeks < 1 or homework_items_per_week < 0:
        raise ValueError("n_weeks must be ≥ 1 and homework_items_per_week ≥ 0")
    for name in ("teach_week", "is_taught_before"):
        if np.asarray(getattr(curriculum, name)).shape != (n_kps,):
            raise ValueError(f"curriculum.{name} must have shape ({n_kps},)")
    teach_week = np.asarray(curriculum.teach_week)
    if ((teach_week < -1) | (teach_week >= n_weeks)).any():
        raise ValueError(f"curriculum.teach_week must lie in -1..{n_weeks - 1}")
    _check_indices("curriculum.prerequisites", np.asarray(curriculum.prerequisites), n_kps)
    if weights.shape != (n_items, n_kps) or n_items < 1:
        raise ValueError(
            f"items.kp_weights must have shape (n_items, {n_kps}), got {weights.shape}"
        )
    if (weights < 0).any() or not np.allclose(weights.sum(axis=1), 1.0, atol=1e-6):
        raise ValueError("items.kp_weights must be non-negative with rows summing to 1")
    for name in ("difficulty", "discrimination", "full_score", "is_partial_credit", "grade"):
        if np.asarray(getattr(items, name)).shape != (n_items,):
            raise ValueError(f"items.{name} must have shape ({n_items},)")
    full = np.asarray(items.full_score)
    if (full < 1).any() or not np.allclose(full, np.rint(full)):
        raise ValueError("items.full_score must hold whole numbers ≥ 1")
    if items.guessing is not None and np.asarray(items.guessing).shape != (n_items,):
        raise ValueError(f"items.guessing must be None or have shape ({n_items},)")
    for index, plan in enumerate(exams):
        if not 0 <= plan.week < n_weeks:
            raise ValueError(f"exams[{index}].week must lie in 0..{n_weeks - 1}")
        for grade, exam_items in plan.items_by_grade.items():
            _check_indices(f"exams[{index}].items_by_grade[{grade}]", exam_items, n_items)
        _check_indices(f"exams[{index}].missing_classes", plan.missing_classes, n_classes)
        if plan.absent is not None and np.asarray(plan.absent).shape != (n_students,):
            raise ValueError(f"exams[{index}].absent must be None or have shape ({n_students},)")


def _check_indices(name: str, values: npt.ArrayLike, size: int) -> None:
    """Raise ValueError unless ``values`` are whole numbers in 0..size-1."""
    array = np.asarray(values)
    if array.size and (array.dtype.kind not in "iu" or array.min() < 0 or array.max() >= size):
        raise ValueError(f"{name} must hold indices in 0..{size - 1}")
