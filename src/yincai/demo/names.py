"""Realistic Chinese names for demo students, teachers and schools, drawn from a seeded generator.

Surname weights follow the national ranking (王、李、张 about 7% each, the top 100 about 85% of
people); given-name characters are those common among children born around 2010 (students)
and adults born 1970–1995 (teachers).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, NamedTuple, overload

import numpy as np

Gender = Literal["男", "女"]
Locale = Literal["urban", "township", "rural"]
Stage = Literal["primary", "junior", "nine_year"]

# Surnames by rank and their share in percent, after the 2020 household-registration statistics.
_SURNAME_RANKING = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐"
    "许韩邓冯曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任卢"
    "姚沈钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江"
    "尹薛闫段雷龙黎史陶贺毛郝顾龚邵万覃武钱戴严莫孔向常"
)
# fmt: off
_SURNAME_SHARES = (
    7.12, 7.00, 6.74, 5.10, 4.61, 3.22, 2.45, 2.19, 2.05, 1.97, 1.63, 1.54, 1.48, 1.43,
    1.37, 1.31, 1.18, 1.14, 1.13, 1.12, 1.03, 0.96, 0.83, 0.79, 0.77, 0.71, 0.70, 0.69,
    0.68, 0.67, 0.64, 0.62, 0.61, 0.60, 0.59, 0.55, 0.54, 0.53, 0.52, 0.51, 0.50, 0.49,
    0.48, 0.47, 0.46, 0.45, 0.44, 0.43, 0.42, 0.41, 0.40, 0.39, 0.38, 0.37, 0.36, 0.35,
    0.34, 0.33, 0.32, 0.31, 0.30, 0.29, 0.28, 0.27, 0.26, 0.26, 0.25, 0.24, 0.24, 0.23,
    0.23, 0.22, 0.22, 0.21, 0.21, 0.20, 0.20, 0.19, 0.19, 0.18, 0.18, 0.17, 0.17, 0.16,
    0.16, 0.15, 0.15, 0.15, 0.14, 0.14, 0.14, 0.13, 0.13, 0.13, 0.13, 0.12, 0.12, 0.12,
    0.11, 0.11,
)
# fmt: on
SURNAMES = tuple(_SURNAME_RANKING)
_SURNAME_P = np.array(_SURNAME_SHARES) / sum(_SURNAME_SHARES)

_STUDENT_CHARS: dict[Gender, str] = {
    "男": "子浩宇轩博晨俊杰泽豪铭睿然航鑫磊鹏涛文明一梓嘉昊天思辰"
    "凯瑞奕皓煜峰宸阳健恒乐诚毅彬翔志成",
    "女": "欣怡雨涵萱琪诗可馨思佳语悦婷雪晨菲颖琳瑶妍彤静嘉梦若雅紫月晴乐一玥艺蕊淑心安希桐芸萌",
}
_TEACHER_CHARS: dict[Gender, str] = {
    "男": "伟军建国强勇斌超明涛杰刚华平辉鹏波海峰磊宏林志文东亮晓春新永",
    "女": "丽芳红华敏静燕霞艳玲娟英梅慧琴雪洁红萍婷颖莉晓春丹凤兰秀",
}
SINGLE_CHARACTER_SHARE = 0.15  # one-character given names are rarer among today's children


def _given_name(rng: np.random.Generator, pool: str, single_share: float) -> str:
    if rng.random() < single_share:
        return pool[int(rng.integers(len(pool)))]
    first, second = rng.choice(len(pool), size=2, replace=False)
    return pool[int(first)] + pool[int(second)]


def surname(rng: np.random.Generator) -> str:
    """One surname, drawn with its national frequency."""
    return SURNAMES[int(rng.choice(len(SURNAMES), p=_SURNAME_P))]


def person_name(rng: np.random.Generator, gender: Gender) -> str:
    """A student's full name (surname + 1–2 characters typical of the gender), e.g. "王梓涵"."""
    return surname(rng) + _given_name(rng, _STUDENT_CHARS[gender], SINGLE_CHARACTER_SHARE)


def teacher_name(rng: np.random.Generator, gender: Gender) -> str:
    """An adult's full name with characters common for people born 1970–1995, e.g. "李建国"."""
    return surname(rng) + _given_name(rng, _TEACHER_CHARS[gender], 0.35)


class SchoolName(NamedTuple):
    """A school's name with its locale and the stages it teaches."""

    name: str
    locale: Locale
    stage: Stage


_URBAN: tuple[tuple[str, Stage], ...] = (  # (name pattern, stage); {d} is the district
    ("{d}实验中学", "junior"), ("{d}第一中学", "junior"), ("{d}第二中学", "junior"),
    ("{d}第三中学", "junior"), ("{d}外国语学校", "nine_year"), ("{d}育才学校", "nine_year"),
    ("城关第一小学", "primary"), ("城关第二小学", "primary"), ("{d}实验小学", "primary"),
    ("城南中学", "junior"), ("城北中学", "junior"), ("{d}东城小学", "primary"),
)  # fmt: skip
_TOWNS = (
    "青山",
    "柳河",
    "石桥",
    "白沙",
    "杨庄",
    "马集",
    "龙泉",
    "桃园",
    "清水",
    "双河",
    "河口",
    "新集",
)
_VILLAGES = ("黄土岭", "三岔", "柏树", "梨花", "红星", "凤凰", "大坪", "松林", "前进", "高桥")
_TOWNSHIP_PATTERNS: tuple[tuple[str, Stage], ...] = (
    ("{t}镇中学", "junior"),
    ("{t}镇中心小学", "primary"),
    ("{t}镇九年一贯制学校", "nine_year"),
)
_RURAL_PATTERNS: tuple[tuple[str, Stage], ...] = (
    ("{v}乡中学", "junior"),
    ("{v}乡中心学校", "nine_year"),
    ("{v}村小学", "primary"),
)
LOCALE_SHARES: dict[Locale, float] = {"urban": 0.4, "township": 0.35, "rural": 0.25}


def _school_pools(district: str) -> dict[tuple[Locale, Stage], list[str]]:
    pools: dict[tuple[Locale, Stage], list[str]] = {}
    for pattern, stage in _URBAN:
        pools.setdefault(("urban", stage), []).append(pattern.format(d=district))
    for town in _TOWNS:
        for pattern, stage in _TOWNSHIP_PATTERNS:
            pools.setdefault(("township", stage), []).append(pattern.format(t=town))
    for village in _VILLAGES:
        for pattern, stage in _RURAL_PATTERNS:
            pools.setdefault(("rural", stage), []).append(pattern.format(v=village))
    return pools


def _shuffled_pools(
    rng: np.random.Generator, district: str
) -> dict[tuple[Locale, Stage], list[str]]:
    pools = _school_pools(district)
    for key, names in pools.items():
        pools[key] = [names[int(i)] for i in rng.permutation(len(names))]
    return pools


@overload
def school_names(
    rng: np.random.Generator,
    n: int,
    *,
    district: str = ...,
    stages: tuple[Stage, ...] = ...,
) -> list[SchoolName]: ...


@overload
def school_names(
    rng: np.random.Generator,
    n: Sequence[tuple[Locale, Stage]],
    *,
    district: str = ...,
    stages: tuple[Stage, ...] = ...,
) -> list[str]: ...


def school_names(
    rng: np.random.Generator,
    n: int | Sequence[tuple[Locale, Stage]],
    *,
    district: str = "示范区",
    stages: tuple[Stage, ...] = ("junior", "nine_year"),
) -> list[SchoolName] | list[str]:
    """Distinct school names in ``district``.

    Given a count ``n``: that many ``SchoolName`` rows, about 40% urban, 35% township and 25%
    rural, teaching one of ``stages`` (by default schools with junior-high classes); every
    locale appears when ``n`` ≥ 3. Given a plan of ``(locale, stage)`` pairs: one name per pair,
    in the same order (``stages`` is then ignored). Raises ValueError when names run out.
    """
    pools = _shuffled_pools(rng, district)
    if not isinstance(n, int):
        names: list[str] = []
        for locale, stage in n:
            pool = pools.get((locale, stage), [])
            if not pool:
                raise ValueError(f"no more {locale} {stage} school names for the plan")
            names.append(pool.pop(0))
        return names
    candidates: dict[Locale, list[SchoolName]] = {locale: [] for locale in LOCALE_SHARES}
    for (locale, stage), pool in pools.items():
        if stage in stages:
            candidates[locale].extend(SchoolName(name, locale, stage) for name in pool)
    for locale, rows in candidates.items():  # interleave stages fairly, still seeded
        candidates[locale] = [rows[int(i)] for i in rng.permutation(len(rows))]
    available = sum(len(rows) for rows in candidates.values())
    if n > available:
        raise ValueError(f"n must be at most {available}, got {n}")
    locales: list[Locale] = list(LOCALE_SHARES)
    counts = dict.fromkeys(locales, 0)
    chosen: list[SchoolName] = []
    for index in range(n):
        if index < len(locales) and n >= len(locales) and candidates[locales[index]]:
            locale = locales[index]
        else:
            deficits = [
                LOCALE_SHARES[loc] * (index + 1) - counts[loc] if candidates[loc] else -np.inf
                for loc in locales
            ]
            locale = locales[int(np.argmax(deficits))]
        counts[locale] += 1
        chosen.append(candidates[locale].pop(0))
    return chosen


def class_name(grade: int, number: int) -> str:
    """The usual class label, e.g. ``class_name(7, 3)`` is "七年级（3）班"."""
    grades = {1: "一", 2: "二", 3: "三", 4: "四", 5: "五", 6: "六", 7: "七", 8: "八", 9: "九"}
    return f"{grades[grade]}年级（{number}）班"
