"""Templates for 八下 第十九章 一次函数, 第二十章 数据的分析."""

from __future__ import annotations

from fractions import Fraction
from statistics import median, multimode

import numpy as np

from yincai.demo.itembank.drafts import (
    Draft,
    Registry,
    SolutionDraft,
    StatementDraft,
    Step,
    dec,
    mdec,
    mnum,
    pick,
    poly,
    randint,
    registrar,
    value_draft,
)

TEMPLATES: Registry = {}
register = registrar(TEMPLATES)


def line(k: int | Fraction, b: int | Fraction) -> str:
    """``y=kx+b`` in LaTeX (no dollars)."""
    return f"y={poly([(k, 'x'), (b, '')])}"


@register("变量与函数")
def _domain(rng: np.random.Generator) -> Draft:
    a = randint(rng, 1, 6)
    question = f"函数 $y=\\frac{{1}}{{\\sqrt{{x-{a}}}}}$ 中，自变量 $x$ 的取值范围是"
    wrong = [f"$x\\geq {a}$", f"$x\\neq {a}$", f"$x<{a}$"]
    return value_draft(rng, question, f"$x>{a}$", wrong, difficulty=0.3)


@register("变量与函数")
def _variable_relation(rng: np.random.Generator) -> Draft:
    volume, rate = randint(rng, 30, 60), randint(rng, 2, 5)
    question = (
        f"汽车油箱中原有油 ${volume}$ 升，行驶过程中每小时耗油 ${rate}$ 升，则油箱中剩余油量 $y$（"
        "升）"
        "与行驶时间 $t$（时）之间的函数解析式是"
    )
    wrong = [
        f"$y={rate}t-{volume}$",
        f"$y={volume}+{rate}t$",
        f"$y={volume}-\\frac{{t}}{{{rate}}}$",
    ]
    return value_draft(rng, question, f"$y={volume}-{rate}t$", wrong, difficulty=-0.5)


@register("函数的图象与表示方法")
def _point_on_graph(rng: np.random.Generator) -> Draft:
    k, b = randint(rng, -3, 3, nonzero=True), randint(rng, -5, 5)
    x = randint(rng, -3, 3)
    question = f"下列各点中，在函数 ${line(k, b)}$ 的图象上的是"
    wrong = [f"$({x},{k * x + b + 1})$", f"$({x + 1},{k * x + b})$", f"$({k * x + b},{x})$"]
    return value_draft(rng, question, f"$({x},{k * x + b})$", wrong, difficulty=-0.5)


@register("正比例函数")
def _proportional(rng: np.random.Generator) -> Draft:
    x, k = randint(rng, -4, 4, nonzero=True), randint(rng, -5, 5, nonzero=True)
    question = f"已知正比例函数 $y=kx$ 的图象经过点 $({x},{k * x})$，则 $k$ 的值是"
    return value_draft(
        rng, question, mnum(k), [mnum(-k), mnum(Fraction(1, k)), mnum(k * x)], difficulty=-0.6
    )


@register("正比例函数")
def _proportional_facts(rng: np.random.Generator) -> Draft:
    k = randint(rng, 2, 6)
    return StatementDraft(
        f"关于正比例函数 $y=-{k}x$，下列说法中",
        (
            "图象经过原点",
            "图象经过第二、四象限",
            "$y$ 随 $x$ 的增大而减小",
            f"图象经过点 $(1,-{k})$",
        ),
        (
            "图象经过第一、三象限",
            "$y$ 随 $x$ 的增大而增大",
            f"图象经过点 $(-1,-{k})$",
            "图象是一条不经过原点的直线",
        ),
        difficulty=-0.3,
    )


_QUADRANT_SETS = {
    (True, True): "第一、二、三象限",
    (True, False): "第一、三、四象限",
    (False, True): "第一、二、四象限",
    (False, False): "第二、三、四象限",
}


@register("一次函数的图象与性质")
def _line_quadrants(rng: np.random.Generator) -> Draft:
    k, b = randint(rng, -5, 5, nonzero=True), randint(rng, -6, 6, nonzero=True)
    answer = _QUADRANT_SETS[(k > 0, b > 0)]
    question = f"一次函数 ${line(k, b)}$ 的图象经过"
    return value_draft(
        rng, question, answer, [v for v in _QUADRANT_SETS.values() if v != answer], difficulty=-0.2
    )


@register("一次函数的图象与性质")
def _monotone(rng: np.random.Generator) -> Draft:
    k, b = randint(rng, -5, 5, nonzero=True), randint(rng, -6, 6)
    x1, x2 = -1, 2
    relation = "<" if k > 0 else ">"
    question = (
        f"点 $A({x1},y_{{1}})$，$B({x2},y_{{2}})$ 都在直线 ${line(k, b)}$ 上，则 $y_{{1}}$"
        f" 与 $y_{{2}}$ 的大小关系是"
    )
    options = ["$y_{1}<y_{2}$", "$y_{1}>y_{2}$", "$y_{1}=y_{2}$", "无法确定"]
    answer = f"$y_{{1}}{relation}y_{{2}}$"
    return value_draft(rng, question, answer, [o for o in options if o != answer], difficulty=0.0)


@register("待定系数法求一次函数解析式")
def _two_points(rng: np.random.Generator) -> Draft:
    k, b = randint(rng, -4, 4, nonzero=True), randint(rng, -6, 6)
    x1, x2 = randint(rng, -3, 0), randint(rng, 1, 4)
    p1, p2 = (x1, k * x1 + b), (x2, k * x2 + b)
    if rng.random() < 0.5:
        question = (
            f"一次函数的图象经过点 $({p1[0]},{p1[1]})$ 和 $({p2[0]},{p2[1]})$，则这个一次"
            "函数的解析式是"
        )
        wrong = [
            f"${line(-k, b)}$",
            f"${line(k, -b)}$",
            f"${line(b, k)}$" if b else f"${line(k, 1)}$",
        ]
        return value_draft(rng, question, f"${line(k, b)}$", wrong, difficulty=0.0)
    stem = (
        f"已知一次函数的图象经过点 $A({p1[0]},{p1[1]})$ 和 $B({p2[0]},{p2[1]})$，求这个一次函"
        "数的解析式。"
    )
    first, second = (
        f"{poly([(x1, 'k'), (1, 'b')])}={p1[1]}",
        f"{poly([(x2, 'k'), (1, 'b')])}={p2[1]}",
    )
    steps = (
        Step("设这个一次函数的解析式为 $y=kx+b$（$k\\neq 0$）。", "设出解析式", 1),
        Step(
            f"把 $A$、$B$ 两点坐标代入，得 $\\begin{{cases}}{first}\\\\{second}\\end{{cases}}$",
            "代入列方程组",
            2,
        ),
        Step(f"解得 $\\begin{{cases}}k={k}\\\\b={b}\\end{{cases}}$", "解方程组", 2),
        Step(f"所以这个一次函数的解析式为 ${line(k, b)}$。", "写出解析式", 1),
    )
    return SolutionDraft(stem, steps, difficulty=0.2, extra_kps=("加减消元法",))


@register("一次函数与方程、不等式")
def _line_inequality(rng: np.random.Generator) -> Draft:
    k, root = randint(rng, -4, 4, nonzero=True), randint(rng, -4, 4)
    b = -k * root
    question = (
        f"已知一次函数 ${line(k, b)}$ 的图象与 $x$ 轴交于点 $({root},0)$，则不等式 $"
        f"{poly([(k, 'x'), (b, '')])}>0$ 的解集是"
    )
    answer, opposite = (f"$x>{root}$", f"$x<{root}$") if k > 0 else (f"$x<{root}$", f"$x>{root}$")
    wrong = [opposite, f"$x>{-root}$" if root else "$x>1$", f"$x<{-root}$" if root else "$x<1$"]
    return value_draft(rng, question, answer, wrong, difficulty=0.3)


@register("一次函数与方程、不等式")
def _phone_plans(rng: np.random.Generator) -> Draft:
    while True:
        fee_a, rate_a = randint(rng, 2, 6) * 5, Fraction(randint(rng, 1, 2), 10)
        rate_b = rate_a + Fraction(randint(rng, 1, 3), 10)
        minutes = fee_a / (rate_b - rate_a)
        if minutes.denominator == 1:
            break
    stem = (
        f"某通讯公司有两种手机话费套餐：A 套餐月租费 ${fee_a}$ 元，通话费每分钟 ${dec(rate_a)}$ 元"
        "；"
        f"B 套餐无月租费，通话费每分钟 ${dec(rate_b)}$ 元。设某月通话时间为 $x$ 分钟，A、B 套餐的"
        "费用分别为 "
        "$y_{1}$ 元、$y_{2}$ 元。（1）分别写出 $y_{1}$、$y_{2}$ 与 $x$ 的函数解析式；（2）通话时间"
        "为多少分钟时两种套餐费用相同？"
        "（3）若某人每月通话约 " + f"${int(minutes) + 100}$ 分钟，选择哪种套餐更省钱？"
    )
    steps = (
        Step(
            f"（1）$y_{{1}}={dec(rate_a)}x+{fee_a}$，$y_{{2}}={dec(rate_b)}x$。",
            "正确写出两个解析式",
            3,
        ),
        Step(
            f"（2）令 ${dec(rate_a)}x+{fee_a}={dec(rate_b)}x$，解得 $x={dec(minutes)}$。",
            "列方程并求解",
            2,
        ),
        Step(f"答：通话时间为 ${dec(minutes)}$ 分钟时两种套餐费用相同。", "作答", 1),
        Step(
            f"（3）当 $x={int(minutes) + 100}$ 时，$y_{{1}}="
            f"{dec(rate_a * (int(minutes) + 100) + fee_a)}$，"
            f"$y_{{2}}={dec(rate_b * (int(minutes) + 100))}$，",
            "分别计算两种费用",
            2,
        ),
        Step("因为 $y_{1}<y_{2}$，所以选择 A 套餐更省钱。", "比较并得出结论", 2),
    )
    return SolutionDraft(
        stem, steps, difficulty=0.9, extra_kps=("一次函数的图象与性质", "解一元一次不等式")
    )


def _scores(rng: np.random.Generator, n: int) -> list[int]:
    return sorted(int(v) for v in rng.integers(70, 100, size=n))


@register("平均数与加权平均数")
def _weighted_mean(rng: np.random.Generator) -> Draft:
    a, b, c = randint(rng, 80, 95), randint(rng, 75, 95), randint(rng, 70, 98)
    wa, wb, wc = pick(rng, ((2, 3, 5), (3, 3, 4), (1, 4, 5), (2, 4, 4)))
    total = Fraction(a * wa + b * wb + c * wc, wa + wb + wc)
    question = (
        f"某校学期数学总评成绩由平时成绩、期中成绩、期末成绩按 ${wa}:{wb}:{wc}$ 的比例计算。小红这"
        "三项成绩依次为 "
        f"${a}$ 分、${b}$ 分、${c}$ 分，则她的总评成绩是"
    )
    wrong = [
        mdec(Fraction(a + b + c, 3)),
        mdec(Fraction(a * wc + b * wb + c * wa, wa + wb + wc)),
        mdec(total + 1),
    ]
    return value_draft(
        rng, question, mdec(total)[:-1] + "$ 分", [w[:-1] + "$ 分" for w in wrong], difficulty=0.0
    )


@register("中位数和众数")
def _median_mode(rng: np.random.Generator) -> Draft:
    data = [int(v) for v in rng.integers(1, 9, size=7)]
    data.append(data[0])
    modes = multimode(data)
    while len(modes) != 1:
        data.append(modes[0])
        modes = multimode(data)
    med = Fraction(str(median(data)))
    shown = "，".join(f"${v}$" for v in data)
    question = f"一组数据 {shown} 的中位数和众数分别是"
    answer = f"{mdec(med)}，${modes[0]}$"
    middle = data[len(data) // 2]
    wrong = [
        f"${modes[0]}$，{mdec(med)}",
        f"${middle}$，${modes[0]}$",
        f"{mdec(Fraction(sum(data), len(data)))}，${modes[0]}$",
        f"{mdec(med + 1)}，${modes[0]}$",
        f"{mdec(med)}，${modes[0] + 1}$",
    ]
    return value_draft(rng, question, answer, wrong, difficulty=0.0)


@register("方差的计算")
def _variance(rng: np.random.Generator) -> Draft:
    mean = randint(rng, 5, 10)
    offsets = [int(v) for v in rng.integers(-3, 4, size=4)]
    offsets.append(-sum(offsets))
    data = [mean + d for d in offsets]
    variance = Fraction(sum(d * d for d in offsets), len(data))
    shown = "，".join(f"${v}$" for v in data)
    question = f"一组数据 {shown} 的方差是"
    wrong = [
        mdec(variance * len(data) / (len(data) - 1)),
        mdec(sum(abs(d) for d in offsets)),
        mdec(variance + 1),
    ]
    return value_draft(
        rng, question, mdec(variance), wrong, difficulty=0.2, extra_kps=("平均数与加权平均数",)
    )


@register("用方差比较数据的波动")
def _compare_players(rng: np.random.Generator) -> Draft:
    mean = randint(rng, 78, 90)
    steady = [mean + d for d in (0, 2, -2, 0, 2, -2)]
    wild = [mean + d for d in (4, -4, 2, -2, 6, -6)]
    var_steady = Fraction(sum((v - mean) ** 2 for v in steady), 6)
    var_wild = Fraction(sum((v - mean) ** 2 for v in wild), 6)
    names = pick(rng, (("甲", "乙"), ("乙", "甲")))
    first, second = (steady, wild) if names[0] == "甲" else (wild, steady)
    stem = (
        "甲、乙两名同学最近 $6$ 次数学测验的成绩（分）如下：甲："
        f"{'，'.join(str(v) for v in first)}；"
        f"乙：{'，'.join(str(v) for v in second)}。（1）分别求出两人成绩的平均数和方差；（2）若要"
        "从中选一名成绩稳定的同学参加数学竞赛，应选谁？"
    )
    s_first, s_second = (var_steady, var_wild) if names[0] == "甲" else (var_wild, var_steady)
    steps = (
        Step(
            f"（1）$\\bar{{x}}_{{甲}}={mean}$，$\\bar{{x}}_{{乙}}={mean}$；",
            "正确求出两个平均数",
            2,
        ),
        Step(
            f"$s_{{甲}}^{{2}}={dec(s_first)}$，$s_{{乙}}^{{2}}={dec(s_second)}$。",
            "正确求出两个方差",
            4,
        ),
        Step(
            f"（2）因为两人平均数相同，且{names[0]}的方差较小，成绩更稳定，所以应选{names[0]}参赛"
            "。",
            "用方差比较并作出选择",
            2,
        ),
    )
    return SolutionDraft(stem, steps, difficulty=0.5, extra_kps=("方差的计算",))
