"""Templates for 九上 第二十五章 概率初步."""

from __future__ import annotations

from fractions import Fraction
from itertools import product

import numpy as np

from yincai.demo.itembank.drafts import (
    Draft,
    Registry,
    SolutionDraft,
    Step,
    fixed_registrar,
    mnum,
    num,
    pick,
    randint,
    registrar,
    value_draft,
)

TEMPLATES: Registry = {}
register = registrar(TEMPLATES)
fixed = fixed_registrar(TEMPLATES)


fixed("event_kinds")


@register("概率的意义与计算")
def _ball_probability(rng: np.random.Generator) -> Draft:
    red, white, black = randint(rng, 1, 6), randint(rng, 1, 6), randint(rng, 0, 4)
    total = red + white + black
    color = pick(rng, ("红球", "白球"))
    count = red if color == "红球" else white
    black_text = f"、${black}$ 个黑球" if black else ""
    question = (
        f"一个不透明的袋子中装有 ${red}$ 个红球、${white}$ 个白球{black_text}，这些球除颜"
        f"色外都相同。从中随机摸出一个球，摸到{color}的概率是"
    )
    value = Fraction(count, total)
    wrong = [
        mnum(Fraction(count, total - count)) if total > count else mnum(Fraction(1, 2)),
        mnum(Fraction(1, total)),
        mnum(1 - value),
        mnum(Fraction(count + 1, total + 1)),
    ]
    return value_draft(rng, question, mnum(value), wrong, difficulty=-0.8)


@register("列表法求概率")
def _two_dice(rng: np.random.Generator) -> Draft:
    target = randint(rng, 4, 10)
    outcomes = [a + b for a, b in product(range(1, 7), repeat=2)]
    value = Fraction(sum(1 for s in outcomes if s == target), 36)
    question = f"同时掷两枚质地均匀的骰子，两枚骰子朝上的点数之和为 ${target}$ 的概率是"
    wrong = [
        mnum(Fraction(1, 11)),
        mnum(Fraction(1, 6)) if value != Fraction(1, 6) else mnum(Fraction(1, 12)),
        mnum(value + Fraction(1, 36)),
    ]
    return value_draft(rng, question, mnum(value), wrong, difficulty=0.2)


@register("画树状图法求概率")
def _draw_twice(rng: np.random.Generator) -> Draft:
    n_red, n_white = randint(rng, 1, 3), randint(rng, 1, 3)
    total = n_red + n_white
    same = Fraction(n_red * (n_red - 1) + n_white * (n_white - 1), total * (total - 1))
    stem = (
        f"一个不透明的袋子中装有 ${n_red}$ 个红球和 ${n_white}$ 个白球，这些球除颜色外都相同。先从"
        "中随机摸出一个球，"
        "不放回，再随机摸出一个球。（1）用画树状图或列表的方法表示所有可能的结果；（2）求两次摸到"
        "的球颜色相同的概率；"
        "（3）小明和小亮约定：两次颜色相同则小明胜，否则小亮胜。这个游戏公平吗？请说明理由。"
    )
    fair = "公平" if same == Fraction(1, 2) else "不公平"
    steps = (
        Step(
            f"（1）画出树状图（或列表），共有 ${total}\\times{total - 1}={total * (total - 1)}$ 种"
            "等可能的结果。",
            "正确画出树状图或列表",
            4,
        ),
        Step(
            f"（2）其中两次颜色相同的结果有 ${n_red * (n_red - 1) + n_white * (n_white - 1)}$ 种，"
            f"所以 $P(\\text{{颜色相同}})={num(same)}$。",
            "正确计算概率",
            3,
        ),
        Step(
            f"（3）$P(\\text{{小明胜}})={num(same)}$，$P(\\text{{小亮胜}})={num(1 - same)}$，所以"
            f"这个游戏{fair}。",
            "比较概率判断公平性",
            3,
        ),
    )
    return SolutionDraft(stem, steps, difficulty=0.8, extra_kps=("列表法求概率",))


fixed("frequency_facts")


@register("用频率估计概率")
def _estimate_count(rng: np.random.Generator) -> Draft:
    total, frequency = (
        pick(rng, (20, 30, 40, 50)),
        pick(rng, (Fraction(1, 5), Fraction(1, 4), Fraction(2, 5), Fraction(3, 10))),
    )
    while (total * frequency).denominator != 1:
        total += 10
    question = (
        f"一个不透明的盒子中有 ${total}$ 个除颜色外都相同的红球和白球，通过大量重复摸球试验发现，"
        f"摸到红球的频率稳定在 ${float(frequency):g}$ 左右，则盒子中红球的个数约为"
    )
    value = int(total * frequency)
    return value_draft(
        rng,
        question,
        mnum(value),
        [mnum(total - value), mnum(value + 2), mnum(value * 2)],
        difficulty=-0.3,
    )
