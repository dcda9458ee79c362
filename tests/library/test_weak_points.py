"""Which points a student or a class is recommended material for: weakest first by the
platform's one rule (需要巩固), weak prerequisites before the points that need them, and reasons
whose figures are the stored ones (levels for staff, the student's own marks for everyone)."""

from __future__ import annotations

from yincai.diagnosis import levels
from yincai.library.weak_points import (
    ClassPointStanding,
    PointStanding,
    class_points,
    student_points,
)


def _point(
    kp_id: int,
    name: str,
    level: float,
    *,
    n_evidence: int = 5,
    is_met: bool = True,
    needs: tuple[int, ...] = (),
    scores: tuple[float, ...] = (0.5, 0.0, 1.0, 0.5),
) -> PointStanding:
    return PointStanding(
        kp_id=kp_id,
        code=f"M7.{kp_id:02d}",
        name=name,
        level=level,
        level_low=max(level - 0.1, 0.0),
        level_high=min(level + 0.15, 1.0),
        n_evidence=n_evidence,
        is_met=is_met,
        prerequisite_ids=needs,
        recent_scores=scores,
    )


POINTS = [
    _point(1, "二次函数的图像", 0.20, needs=(2,)),
    _point(2, "一次函数", 0.30),
    _point(3, "有理数的乘方", 0.10),
    _point(4, "整式的加减", 0.70),  # 基本掌握: not weak
    _point(5, "平方根", 0.05, n_evidence=0),  # no evidence of the student's own: not weak
    _point(6, "勾股定理", 0.15, is_met=False),  # not met yet: not weak
    _point(7, "相反数", levels.NEEDS_WORK_BELOW),  # on the threshold: 基本掌握
]


def test_weakest_first_and_a_weak_prerequisite_before_the_point_that_needs_it() -> None:
    chosen = student_points(POINTS)
    assert [w.point.name for w in chosen] == ["有理数的乘方", "一次函数", "二次函数的图像"]
    assert [w.role for w in chosen] == ["weak", "weak", "weak"]
    assert chosen[1].needed_by == ("二次函数的图像",)
    assert chosen[2].weak_prerequisites == ("一次函数",)


def test_a_prerequisite_beyond_the_weakest_few_still_comes_first() -> None:
    chosen = student_points(POINTS, n_weak=2)
    assert [(w.point.name, w.role) for w in chosen] == [
        ("有理数的乘方", "weak"),
        ("一次函数", "prerequisite"),
        ("二次函数的图像", "weak"),
    ]


def test_only_the_weakest_prerequisite_comes_first_and_a_foundation_stops_there() -> None:
    points = [
        _point(1, "二次函数的图像", 0.20, needs=(2, 8)),
        _point(2, "一次函数", 0.30, needs=(9,)),
        _point(8, "平面直角坐标系", 0.40),
        _point(9, "函数的概念", 0.35),
        _point(3, "有理数的乘方", 0.10),
    ]
    chosen = student_points(points, n_weak=2)
    # 一次函数 (0.30) is weaker than 平面直角坐标系 (0.40); as a foundation outside the two
    # weakest it is listed alone, without its own prerequisite 函数的概念
    assert [(w.point.name, w.role) for w in chosen] == [
        ("有理数的乘方", "weak"),
        ("一次函数", "prerequisite"),
        ("二次函数的图像", "weak"),
    ]
    everything = student_points(points)  # all five weak: each brings its own foundation
    assert [w.point.name for w in everything] == [
        "有理数的乘方", "函数的概念", "一次函数", "二次函数的图像", "平面直角坐标系",
    ]  # fmt: skip
    linear = str(everything[2].reason)
    assert linear.endswith("它是「二次函数的图像」的前置知识；复习它之前先复习「函数的概念」")


def test_reasons_carry_the_stored_figures_in_words_for_students() -> None:
    quadratic = next(w for w in student_points(POINTS) if w.point.kp_id == 1)
    student, staff = str(quadratic.reason), str(quadratic.staff_reason)
    assert student == (
        "「二次函数的图像」需要巩固（最近 4 次作答得分率 50%），先复习前置知识「一次函数」"
    )
    assert "掌握度" not in student and "区间" not in student
    assert "掌握度 20%，80% 区间 10%–35%" in staff and "得分率 50%" in staff
    linear = next(w for w in student_points(POINTS) if w.point.kp_id == 2)
    assert "它是「二次函数的图像」的前置知识，先复习它" in str(linear.reason)


def test_a_class_gets_the_points_most_students_are_weak_on() -> None:
    def standing(
        kp_id: int, n_weak: int, mean: float | None, needs: tuple[int, ...] = ()
    ) -> ClassPointStanding:
        return ClassPointStanding(
            kp_id, f"M7.{kp_id}", f"点{kp_id}", n_weak, 38, 40, mean, prerequisite_ids=needs
        )

    points = [
        standing(1, 5, 0.6),
        standing(2, 12, 0.45, needs=(1, 3)),
        standing(3, 12, 0.40),
        standing(4, 0, 0.8),
        standing(5, 2, None),
    ]
    chosen = class_points(points, n_points=3)
    assert [c.point.kp_id for c in chosen] == [3, 2, 1]  # most weak; ties: the lower mean first
    assert chosen[1].weak_prerequisite is not None and chosen[1].weak_prerequisite.kp_id == 3
    assert str(chosen[1].reason) == (
        "「点2」：12 / 40 名学生需要巩固，有作答的 38 人平均掌握度 45%，"
        "其前置知识「点3」也有 12 人需要巩固"
    )
    assert all(c.point.n_weak > 0 for c in class_points(points))  # no point nobody is weak on
