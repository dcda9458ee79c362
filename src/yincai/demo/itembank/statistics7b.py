"""Templates for 七下 第十章 数据的收集、整理与描述."""

from __future__ import annotations

from fractions import Fraction
from math import ceil

import numpy as np

from yincai.demo.itembank.drafts import (
    Draft,
    Registry,
    fixed_registrar,
    mdec,
    mnum,
    pick,
    randint,
    registrar,
    value_draft,
)

TEMPLATES: Registry = {}
register = registrar(TEMPLATES)
fixed = fixed_registrar(TEMPLATES)


_CENSUS = (
    "了解某班学生的视力情况",
    "旅客登机前的安全检查",
    "检查神舟飞船各零部件的质量",
    "企业招聘时对应聘人员进行面试",
)
_SURVEY = (
    "了解一批灯泡的使用寿命",
    "了解全国中学生的睡眠时间",
    "调查某条河流的水质情况",
    "了解某市居民的垃圾分类意识",
    "检测一批炮弹的杀伤半径",
)


fixed("census_or_sample")


@register("总体、个体、样本与样本容量")
def _sample_size(rng: np.random.Generator) -> Draft:
    total, n = randint(rng, 8, 30) * 100, pick(rng, (50, 100, 150, 200))
    trait = pick(rng, ("身高", "视力", "体重", "数学成绩"))
    lead = (
        f"为了解某区 ${total}$ 名七年级学生的{trait}情况，从中随机抽取 ${n}$ 名学生进行调查，"
        "在这个问题中，"
    )
    if rng.random() < 0.5:
        wrong = [f"${n}$ 名学生", f"抽取的 ${n}$ 名学生的{trait}", mnum(total)]
        return value_draft(rng, lead + "样本容量是", mnum(n), wrong, difficulty=-0.6)
    wrong = [f"${n}$ 名学生", f"${total}$ 名学生的{trait}", mnum(n)]
    return value_draft(
        rng, lead + "样本是", f"抽取的 ${n}$ 名学生的{trait}", wrong, difficulty=-0.3
    )


@register("扇形统计图")
def _sector_angle(rng: np.random.Generator) -> Draft:
    n = pick(rng, (40, 45, 50, 60))
    k = randint(rng, 2, n // 3)
    while (360 * k) % n:
        k += 1
    group = pick(rng, ("书法", "篮球", "合唱", "科技创新", "绘画"))
    question = (
        f"某班共有 ${n}$ 名学生，其中参加{group}兴趣小组的有 ${k}$ 人，在扇形统计图中，表"
        "示该小组人数的扇形的圆心角是"
    )
    value = 360 * k // n
    wrong = [
        f"${k}^{{\\circ}}$",
        f"${round(100 * k / n)}^{{\\circ}}$",
        f"${180 * k // n}^{{\\circ}}$",
    ]
    return value_draft(rng, question, f"${value}^{{\\circ}}$", wrong, difficulty=-0.2)


@register("频数与频数分布表")
def _frequency(rng: np.random.Generator) -> Draft:
    n, frequency = (
        pick(rng, (40, 50, 100, 200)),
        pick(
            rng, (Fraction(1, 4), Fraction(1, 5), Fraction(3, 10), Fraction(2, 5), Fraction(3, 20))
        ),
    )
    count = n * frequency
    question = f"一个样本的容量为 ${n}$，其中某一组的频率为 {mdec(frequency)}，则这一组的频数是"
    wrong = [mdec(frequency * 100), mdec(n - count), mdec(count / 2)]
    return value_draft(rng, question, mdec(count), wrong, difficulty=-0.5, numeric=count)


@register("频数与频数分布表")
def _number_of_groups(rng: np.random.Generator) -> Draft:
    low, width = randint(rng, 140, 150), pick(rng, (3, 4, 5))
    span = width * randint(rng, 5, 8) + randint(rng, 1, width - 1)
    groups = ceil(Fraction(span, width))
    question = (
        f"一组数据的最大值是 ${low + span}$，最小值是 ${low}$，若取组距为 ${width}$，则这"
        "组数据可以分成的组数是"
    )
    return value_draft(
        rng,
        question,
        mnum(groups),
        [mnum(groups - 1), mnum(span // 2)],
        difficulty=-0.2,
        numeric=groups,
    )


@register("频数分布直方图")
def _histogram(rng: np.random.Generator) -> Draft:
    counts = [
        randint(rng, 2, 8),
        randint(rng, 6, 14),
        randint(rng, 10, 18),
        randint(rng, 5, 12),
        randint(rng, 2, 6),
    ]
    total = sum(counts)
    bands = ("$50\\sim60$", "$60\\sim70$", "$70\\sim80$", "$80\\sim90$", "$90\\sim100$")
    table = "，".join(f"{band} 分有 ${c}$ 人" for band, c in zip(bands, counts, strict=True))
    question = (
        f"某班 ${total}$ 名学生一次数学测验成绩的频数分布直方图显示：{table}（每组含最小值，不含最"
        "大值，满"
        "分除外）。成绩不低于 $80$ 分的人数是"
    )
    value = counts[3] + counts[4]
    return value_draft(
        rng,
        question,
        mnum(value),
        [mnum(counts[4]), mnum(counts[2] + counts[3])],
        difficulty=-0.1,
        numeric=value,
    )
