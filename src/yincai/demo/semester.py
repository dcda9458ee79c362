"""The demo semester's calendar and papers: when each point is taught, what each exam sets."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt

from yincai.demo.curriculum import KnowledgePointSpec
from yincai.demo.itembank import ItemSpec, ItemType
from yincai.demo.simulate import Curriculum, ExamPlan, ItemPool

BoolArray = npt.NDArray[np.bool_]
SEMESTER_START = date(2026, 8, 31)  # a Monday
N_WEEKS = 20
TEACHING_WEEKS = 18  # the last two weeks are review and the final exam
EXAMS = ((4, "第一次月考"), (9, "期中考试"), (14, "第二次月考"), (19, "期末考试"))
PARTIAL_CREDIT_TYPES = ("short_answer", "essay")
GUESSING = {"single_choice": 0.25, "true_false": 0.5, "multiple_choice": 0.07}
# A paper: how many items of each type (about 100 points in all).
PAPER: dict[ItemType, int] = {
    "single_choice": 10,
    "multiple_choice": 2,
    "true_false": 2,
    "fill_in": 6,
    "short_answer": 3,
    "essay": 1,
}
REUSE_PREFERENCE = 4.0  # a cumulative paper draws an unused item this many times as often
EXAM_DAY = 3  # maths is sat on the Thursday of its exam week
MISSING_CLASS_EXAM = 2  # the third exam loses one class's scores: a planted data-quality case


@dataclass(frozen=True)
class Paper:
    """One grade's paper of one exam: item indices in order."""

    exam: int
    grade: int
    week: int
    name: str
    items: list[int]
    day: int = EXAM_DAY  # days after the exam week's Monday

    @property
    def held_on(self) -> date:
        return week_start(self.week) + timedelta(days=self.day)


def week_start(week: int) -> date:
    return SEMESTER_START + timedelta(weeks=week)


def point_curriculum(points: list[KnowledgePointSpec]) -> Curriculum:
    """Autumn semester: each grade is taught its 上册 points in order over the teaching weeks."""
    index = {p.code: i for i, p in enumerate(points)}
    grade = np.array([p.grade for p in points], dtype=np.int64)
    teach_week = np.full(len(points), -1, dtype=np.int64)
    for g in sorted(set(grade.tolist())):
        this_term = [i for i, p in enumerate(points) if p.grade == g and p.semester == 1]
        this_term.sort(key=lambda i: points[i].order)
        for rank, i in enumerate(this_term):
            teach_week[i] = rank * TEACHING_WEEKS // max(len(this_term), 1)
    before = np.array([p.semester == 0 for p in points], dtype=bool)  # none within a grade's 上册
    edges = [(index[p.code], index[q]) for p in points for q in p.prerequisites if q in index]
    return Curriculum(
        grade_of_kp=grade,
        teach_week=teach_week,
        is_taught_before=before,
        prerequisites=np.array(edges, dtype=np.int64).reshape(-1, 2),
    )


def item_pool(items: list[ItemSpec], points: list[KnowledgePointSpec]) -> ItemPool:
    index = {p.code: i for i, p in enumerate(points)}
    weights = np.zeros((len(items), len(points)))
    for row, item in enumerate(items):
        for code, weight in item.kp_weights:
            weights[row, index[code]] = weight
    return ItemPool(
        kp_weights=weights,
        difficulty=np.array([i.difficulty for i in items]),
        discrimination=np.array([i.discrimination for i in items]),
        full_score=np.array([i.full_score for i in items]),
        is_partial_credit=np.array([i.item_type in PARTIAL_CREDIT_TYPES for i in items]),
        grade=np.array([i.grade for i in items], dtype=np.int64),
        guessing=np.array([GUESSING.get(i.item_type, 0.0) for i in items]),
    )


def plan_papers(
    items: list[ItemSpec],
    points: list[KnowledgePointSpec],
    curriculum: Curriculum,
    rng: np.random.Generator,
    *,
    paper: Mapping[ItemType, int] = PAPER,
    grades: tuple[int, ...] = (7, 8, 9),
    day: int = EXAM_DAY,
    is_cumulative: bool = False,
) -> list[Paper]:
    """Each exam, each grade: items on points taught so far, recent ones weighted up, no repeats.

    ``paper`` counts the items of each type; ``day`` is the exam's day in its week (a joint
    exam's subjects are sat on Thursday and Friday under one name). A cumulative paper (the
    subjects besides maths, whose banks are smaller) tops up each type from earlier grades'
    items when this semester has taught too few points yet, and may set an item an earlier
    exam set, though unused ones are drawn ``REUSE_PREFERENCE`` times as often."""
    point_index = {p.code: i for i, p in enumerate(points)}
    used: set[int] = set()
    papers: list[Paper] = []
    for exam, (week, name) in enumerate(EXAMS):
        for grade in grades:
            chosen: list[int] = []
            for item_type, count in paper.items():
                candidates, review = [], []
                for i, item in enumerate(items):
                    if item.item_type != item_type or (i in used and not is_cumulative):
                        continue
                    if item.grade < grade:  # every point of the item is of an earlier grade
                        review.append(i)
                        continue
                    if item.grade != grade:
                        continue
                    weeks = [curriculum.teach_week[point_index[c]] for c, _ in item.kp_weights]
                    if min(weeks) >= 0 and max(weeks) <= week:
                        candidates.append((i, max(weeks)))
                take = min(count, len(candidates))
                if take:
                    weight = np.array([1.0 + w / max(week, 1) for _, w in candidates])
                    if is_cumulative:
                        weight *= _freshness([i for i, _ in candidates], used)
                    picks = rng.choice(
                        len(candidates), size=take, replace=False, p=weight / weight.sum()
                    )
                    chosen.extend(candidates[p][0] for p in sorted(picks))
                if is_cumulative and take < count and review:
                    weight = _freshness(review, used)
                    size = min(count - take, len(review))
                    extra = rng.choice(
                        len(review), size=size, replace=False, p=weight / weight.sum()
                    )
                    chosen.extend(review[k] for k in sorted(extra))
            used.update(chosen)
            papers.append(Paper(exam, grade, week, name, chosen, day))
    return papers


def _freshness(indices: list[int], used: set[int]) -> npt.NDArray[np.float64]:
    return np.array([1.0 if i not in used else 1.0 / REUSE_PREFERENCE for i in indices])


def exam_plans(
    papers: list[Paper],
    missing_class: int | None,
    absent: Sequence[BoolArray] | None = None,
) -> list[ExamPlan]:
    """The semester's exams; ``missing_class`` (if any) loses its scores of one exam. ``absent``
    (per exam): who was away from the joint exam, when another subject's sitting decided it."""
    plans = []
    for exam, (week, _) in enumerate(EXAMS):
        by_grade = {p.grade: np.array(p.items, dtype=np.int64) for p in papers if p.exam == exam}
        missing: tuple[int, ...] = ()
        if missing_class is not None and exam == MISSING_CLASS_EXAM:
            missing = (missing_class,)
        away = None if absent is None else absent[exam]
        plans.append(ExamPlan(week, by_grade, missing, away))
    return plans
