"""Planted cases of the demo semester: who is chosen, and how each case bends the simulation.

The district cockpit and the early-warning models are checked against these cases, so each one is
large enough to be found by an honest method and is returned, as ground truth, in :class:`Planted`:

====================  ==========================================================================
case                  effect (logits of mastery; one SD of general ability moves a learned KP
                      by about ``GAIN_ABILITY`` = 0.9 logits)
====================  ==========================================================================
declining students    ~1 % of students; from an onset week (25-40 % into the semester) every
                      KP loses ``DECLINE_DRIFT`` logits a week, new teaching gains are scaled by
                      ``DECLINE_ENGAGEMENT``, half of the homework is not handed in, more absences
underperforming       2 classes of average intake whose teacher effect on learning gains is
classes               ``UNDERPERFORMING_TEACHER_EFFECT`` (normal teachers: SD 0.3)
widening-gap schools  1-2 rural schools whose gains shrink linearly to ``WIDENING_GAIN_DROP`` below
                      normal by the last week, and who forget up to twice as fast
chronic absentees     ~0.4 % of students, absent from every exam but at most one (chosen at
                      random; none for some): missing most exams is what makes absence chronic
missing class scores  the classes named in an :class:`~yincai.demo.simulate.ExamPlan`
====================  ==========================================================================

Scores themselves always stay valid (0..full score); no impossible rows are planted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
Float32Array = npt.NDArray[np.float32]

DECLINE_SHARE = 0.01
DECLINE_ONSET_FRACTION = (0.25, 0.40)  # onset after the first monthly test, before the midterm
DECLINE_DRIFT = 0.12  # logits lost per week on every KP: disengagement, not one bad exam
DECLINE_ENGAGEMENT = 0.4  # share of a normal learning gain once declining
DECLINE_HOMEWORK_SKIP = 0.5  # of the weekly homework, not handed in at all (缺交)
DECLINE_ABSENCE = 0.08
N_UNDERPERFORMING_CLASSES = 2
UNDERPERFORMING_TEACHER_EFFECT = -1.8  # 6 SD of normal teacher effects: clearly planted
WIDENING_GAIN_DROP = 1.8  # logits of gain lost by the last week in widening-gap schools
WIDENING_EXTRA_FORGETTING = 1.0  # forgetting rate multiplied by up to 1 + this
CHRONIC_ABSENTEE_SHARE = 0.004
RURAL = 2


@dataclass(frozen=True)
class Planted:
    """Ground truth of the planted cases, for checking the cockpit and the early warnings.

    Attributes
    ----------
    declining_students : IntArray, shape (n_declining,)
        Student indices, sorted.
    decline_onset_week : IntArray, shape (n_declining,)
        Week from which each declining student declines, aligned with ``declining_students``.
    underperforming_classes : IntArray, shape (n_underperforming,)
        Classes with a strongly negative teacher effect from the first week.
    widening_gap_schools : IntArray, shape (n_widening,)
        Rural schools whose gains shrink over the semester.
    chronic_absentees : IntArray, shape (n_chronic,)
        Students absent from most exams.
    missing_class_exams : tuple of (exam index, class index)
        Classes whose scores are absent from an exam (honoured from the exam plans).
    impossible_score_rows : IntArray, shape (0,)
        Always empty: every simulated score is valid; data-quality checks should find nothing here.
    """

    declining_students: IntArray
    decline_onset_week: IntArray
    underperforming_classes: IntArray
    widening_gap_schools: IntArray
    chronic_absentees: IntArray
    missing_class_exams: tuple[tuple[int, int], ...]
    impossible_score_rows: IntArray


@dataclass(frozen=True)
class PlantedEffects:
    """Per-student view of the planted cases, used week by week by the simulator.

    Attributes
    ----------
    onset_week : IntArray, shape (n_students,)
        Decline onset week; a value past the semester for students who do not decline.
    is_widening : BoolArray, shape (n_students,)
        Student attends a widening-gap school.
    is_chronic_absentee : BoolArray, shape (n_students,)
    n_weeks : int
    attends_week : IntArray, shape (n_students,)
        The one exam week a chronic absentee sits (-1: none; ignored for other students).
    """

    onset_week: IntArray
    is_widening: BoolArray
    is_chronic_absentee: BoolArray
    n_weeks: int
    attends_week: IntArray

    def _progress(self, week: int) -> float:
        return week / max(self.n_weeks - 1, 1)

    def is_declining(self, week: int) -> BoolArray:
        """Students declining in ``week``, shape (n_students,)."""
        return self.onset_week <= week

    def gain_multiplier(self, week: int) -> Float32Array:
        """Scale of this week's learning gains per student, shape (n_students,)."""
        return np.where(self.is_declining(week), DECLINE_ENGAGEMENT, 1.0).astype(np.float32)

    def gain_shift(self, week: int) -> Float32Array:
        """Logits added to this week's learning gains per student, shape (n_students,)."""
        drop = -WIDENING_GAIN_DROP * self._progress(week)
        return np.where(self.is_widening, drop, 0.0).astype(np.float32)

    def forgetting_multiplier(self, week: int) -> Float32Array:
        """Scale of the weekly forgetting rate per student, shape (n_students,)."""
        extra = 1.0 + WIDENING_EXTRA_FORGETTING * self._progress(week)
        return np.where(self.is_widening, extra, 1.0).astype(np.float32)

    def homework_skip(self, week: int, base: float) -> FloatArray:
        """Probability of not handing in a week's homework, shape (n_students,)."""
        return np.where(self.is_declining(week), DECLINE_HOMEWORK_SKIP, base)

    def absence(self, week: int, base: float) -> FloatArray:
        """Probability of missing an exam, shape (n_students,)."""
        probability = np.where(self.is_declining(week), DECLINE_ABSENCE, base)
        chronic = np.where(self.attends_week == week, 0.0, 1.0)
        return np.where(self.is_chronic_absentee, chronic, probability)


def choose_planted(
    *,
    class_of_student: IntArray,
    school_of_class: IntArray,
    school_setting: IntArray,
    intake: FloatArray,
    n_weeks: int,
    rng: np.random.Generator,
    exam_weeks: Sequence[int] = (),
) -> tuple[Planted, PlantedEffects, FloatArray]:
    """Choose the planted students, classes and schools.

    Parameters
    ----------
    class_of_student : IntArray, shape (n_students,)
    school_of_class : IntArray, shape (n_classes,)
    school_setting : IntArray, shape (n_schools,)
        0 urban, 1 township, 2 rural.
    intake : FloatArray, shape (n_students,)
        General ability at entry; underperforming classes are chosen with average intake so that
        their shortfall cannot be explained by who they enrolled.
    n_weeks : int
    rng : numpy.random.Generator
    exam_weeks : sequence of int
        Weeks with an exam; each chronic absentee sits at most one of them.

    Returns
    -------
    planted : Planted
        With ``missing_class_exams`` still empty; the simulator fills it in.
    effects : PlantedEffects
    teacher_shift : FloatArray, shape (n_classes,)
        Logits to add to each class's teacher effect (negative for the underperforming classes).
    """
    n_students = class_of_student.size
    n_classes = school_of_class.size

    has_students = np.zeros(school_setting.size, dtype=bool)
    has_students[school_of_class[class_of_student]] = True
    widening = _choose_widening_schools(school_setting, has_students, rng)
    underperforming = _choose_underperforming_classes(
        class_of_student, school_of_class, widening, intake, rng
    )

    n_declining = max(1, round(DECLINE_SHARE * n_students))
    declining = np.sort(rng.choice(n_students, size=n_declining, replace=False))
    low = round(DECLINE_ONSET_FRACTION[0] * n_weeks)
    high = max(round(DECLINE_ONSET_FRACTION[1] * n_weeks), low + 1)
    onset = rng.integers(low, high, size=n_declining)

    others = np.setdiff1d(np.arange(n_students), declining)
    n_chronic = min(max(2, round(CHRONIC_ABSENTEE_SHARE * n_students)), others.size)
    chronic = np.sort(rng.choice(others, size=n_chronic, replace=False))

    onset_week = np.full(n_students, n_weeks + 1, dtype=np.int64)
    onset_week[declining] = onset
    is_chronic = np.zeros(n_students, dtype=bool)
    is_chronic[chronic] = True
    # Drawn from a spawned generator: the rest of the semester's random stream stays as it was.
    weeks = np.array([-1, *sorted(set(exam_weeks))], dtype=np.int64)
    attends_week = np.full(n_students, -1, dtype=np.int64)
    attends_week[chronic] = rng.spawn(1)[0].choice(weeks, size=chronic.size)
    is_widening = np.isin(school_of_class[class_of_student], widening)

    teacher_shift = np.zeros(n_classes)
    teacher_shift[underperforming] = UNDERPERFORMING_TEACHER_EFFECT

    planted = Planted(
        declining_students=declining.astype(np.int64),
        decline_onset_week=onset.astype(np.int64),
        underperforming_classes=underperforming,
        widening_gap_schools=widening,
        chronic_absentees=chronic.astype(np.int64),
        missing_class_exams=(),
        impossible_score_rows=np.zeros(0, dtype=np.int64),
    )
    effects = PlantedEffects(onset_week, is_widening, is_chronic, n_weeks, attends_week)
    return planted, effects, teacher_shift


def _choose_widening_schools(
    school_setting: IntArray, has_students: BoolArray, rng: np.random.Generator
) -> IntArray:
    """Two rural schools when there are at least four, else one; township ones if none is rural."""
    candidates = np.flatnonzero(has_students & (school_setting == RURAL))
    if candidates.size == 0:
        candidates = np.flatnonzero(has_students & (school_setting == RURAL - 1))
    if candidates.size == 0:
        return np.zeros(0, dtype=np.int64)
    n_chosen = 2 if candidates.size >= 4 else 1
    return np.sort(rng.choice(candidates, size=n_chosen, replace=False)).astype(np.int64)


def _choose_underperforming_classes(
    class_of_student: IntArray,
    school_of_class: IntArray,
    widening: IntArray,
    intake: FloatArray,
    rng: np.random.Generator,
) -> IntArray:
    """Classes of middling intake and ordinary size, in different schools outside ``widening``."""
    n_classes = school_of_class.size
    size = np.bincount(class_of_student, minlength=n_classes)
    mean_intake = np.bincount(class_of_student, weights=intake, minlength=n_classes) / np.maximum(
        size, 1
    )
    is_candidate = (size >= np.median(size[size > 0]) / 2) & ~np.isin(school_of_class, widening)
    if is_candidate.any():
        low, high = np.quantile(mean_intake[is_candidate], [0.25, 0.75])
        middling = is_candidate & (mean_intake >= low) & (mean_intake <= high)
        is_candidate = middling if middling.any() else is_candidate
    chosen: list[int] = []
    for class_index in rng.permutation(np.flatnonzero(is_candidate)):
        if school_of_class[class_index] not in school_of_class[chosen]:
            chosen.append(int(class_index))
        if len(chosen) == N_UNDERPERFORMING_CLASSES:
            break
    return np.sort(np.array(chosen, dtype=np.int64))
