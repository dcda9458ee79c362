"""The demo district's growth-archive records (综合素质评价): one semester of evidence per student
in the four non-academic dimensions (德、体、美、劳; the academic one is the exam results).

Each student's counts come from their school's setting and a propensity of their own: urban
schools run more clubs (合唱团、篮球队 …) than rural ones, and about a quarter of the students are
"active" ones who join several. Everything is drawn from a stream of its own (``GROWTH_STREAM``),
after the roster, so the rest of the district is exactly what the same seed gave before, and
it is drawn independently of every student's ability: the activities are independent of the
academic truth given the school (a fairness check compares the two groups, it must not find a
difference the demo built in). Nothing here touches the database; ``build.py`` writes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from yincai.demo import semester as calendar
from yincai.demo.district import DistrictPlan
from yincai.domain.models import Dimension

GROWTH_STREAM = 4  # after the later subjects' staff (1) and the general ability (2)
ACTIVE_SHARE = 0.25  # students who join several clubs and teams
# mean arts and sports records a semester, by setting: (an active student, the others)
ACTIVITY_RATE = {"urban": (5.0, 1.2), "township": (4.0, 0.9), "rural": (3.2, 0.6)}
LABOUR_RATE = {"urban": 1.6, "township": 2.0, "rural": 2.4}  # more farm and school labour
MORAL_RATE = 0.9
# (evidence, recorded by, fixed week or None for any teaching week); recorded_by names a role,
# never a person: the archive holds no personal data beyond the student.
EVIDENCE: dict[Dimension, tuple[tuple[str, str, int | None], ...]] = {
    Dimension.ARTS: (
        ("参加校合唱团排练，在国庆文艺汇演中登台演出", "音乐教师", 4),
        ("书法作品入选校园书法展", "美术教师", None),
        ("美术作品在学校美术作品展中展出", "美术教师", None),
        ("参加校民乐团，完成本学期全部排练", "音乐教师", None),
        ("在元旦文艺汇演中参加班级合唱", "班主任", 17),
        ("参加课本剧社团，在读书节上演出", "语文教师", 11),
        ("剪纸作品被选为班级文化墙展示作品", "美术教师", None),
    ),
    Dimension.HEALTH: (
        ("参加校运会4×100米接力", "体育教师", 7),
        ("校运会跳远项目获年级前六名", "体育教师", 7),
        ("国家学生体质健康标准测试达到良好", "体育教师", 12),
        ("入选校篮球队，参加区中学生篮球联赛", "体育教师", None),
        ("参加校足球社团训练，全学期出勤", "体育教师", None),
        ("参加冬季长跑活动，累计完成规定里程", "体育教师", 15),
        ("参加心理健康主题班会并完成活动单", "心理教师", None),
    ),
    Dimension.LABOUR: (
        ("按时完成班级值日，教室卫生检查合格", "班主任", None),
        ("参加学校劳动实践基地的种植活动", "劳动教育教师", None),
        ("参加社区志愿清扫活动", "班主任", None),
        ("完成家务劳动打卡（两周）", "班主任", None),
        ("参加食堂帮厨劳动实践", "劳动教育教师", None),
    ),
    Dimension.MORAL: (
        ("参加升旗仪式国旗下讲话", "德育处", None),
        ("参加敬老院志愿服务活动", "团委", None),
        ("所在班级获评本月文明班级，本人担任班委", "班主任", None),
        ("拾金不昧，受到学校通报表扬", "德育处", None),
        ("参加禁毒知识竞赛并完成学习", "德育处", 9),
    ),
}


@dataclass(frozen=True)
class PlannedRecord:
    student: int  # index into the plan's students
    dimension: Dimension
    evidence: str
    recorded_by: str
    recorded_on: date


def plan_growth_records(
    plan: DistrictPlan, rng: np.random.Generator
) -> tuple[list[PlannedRecord], np.ndarray]:
    """Every student's records of the semester, oldest first per student, and each student's
    number of arts and sports records (plan order): the planted activity count."""
    n = len(plan.students)
    setting = [plan.schools[plan.classes[s.school_class].school].setting for s in plan.students]
    is_active = rng.random(n) < ACTIVE_SHARE
    activity_mean = np.array(
        [ACTIVITY_RATE[s][0 if a else 1] for s, a in zip(setting, is_active, strict=True)]
    )
    n_activities = rng.poisson(activity_mean)
    n_labour = rng.poisson([LABOUR_RATE[s] for s in setting])
    n_moral = rng.poisson(MORAL_RATE, size=n)
    records: list[PlannedRecord] = []
    planted = np.zeros(n, dtype=np.int64)
    for k in range(n):
        arts = rng.binomial(n_activities[k], 0.5)
        counts = (
            (Dimension.ARTS, arts),
            (Dimension.HEALTH, n_activities[k] - arts),
            (Dimension.LABOUR, n_labour[k]),
            (Dimension.MORAL, n_moral[k]),
        )
        mine: list[PlannedRecord] = []
        for dimension, count in counts:
            choices = EVIDENCE[dimension]
            size = min(int(count), len(choices))  # one record per activity and student
            if dimension in (Dimension.ARTS, Dimension.HEALTH):
                planted[k] += size
            for index in rng.choice(len(choices), size=size, replace=False):
                evidence, recorded_by, week = choices[int(index)]
                on = _school_day(rng, week)
                mine.append(PlannedRecord(k, dimension, evidence, recorded_by, on))
        records.extend(sorted(mine, key=lambda r: (r.recorded_on, r.dimension, r.evidence)))
    return records, planted


def _school_day(rng: np.random.Generator, week: int | None) -> date:
    """A weekday of the given week, or of any teaching week."""
    chosen = int(rng.integers(0, calendar.TEACHING_WEEKS)) if week is None else week
    return calendar.week_start(chosen) + timedelta(days=int(rng.integers(0, 5)))
