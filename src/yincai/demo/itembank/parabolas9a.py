"""Templates for 九上 第二十二章 二次函数."""

from __future__ import annotations

from fractions import Fraction
from itertools import pairwise

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
    num,
    pick,
    randint,
    registrar,
    value_draft,
)
from yincai.demo.itembank.quadratics9a import quadratic, two_roots

TEMPLATES: Registry = {}
register = registrar(TEMPLATES)


@register("二次函数的概念")
def _which_quadratic(rng: np.random.Generator) -> Draft:
    a = randint(rng, 2, 6)
    return StatementDraft(
        "下列函数中",
        (f"$y={a}x^{{2}}-1$", "$y=(x-1)^{2}-x$", f"$y=-\\frac{{1}}{{{a}}}x^{{2}}$"),
        (f"$y={a}x-1$", "$y=\\frac{1}{x^{2}}$", "$y=(x+1)^{2}-x^{2}$", "$y=ax^{2}+bx+c$"),
        ask_true="是二次函数的是",
        ask_false="不是二次函数的是",
        claim="是二次函数",
        difficulty=-0.2,
    )


@register("二次函数y=a(x-h)²+k的图象和性质")
def _vertex_form(rng: np.random.Generator) -> Draft:
    a, h, k = (
        randint(rng, -3, 3, nonzero=True),
        randint(rng, -5, 5, nonzero=True),
        randint(rng, -6, 6),
    )
    shift = f"(x{'-' if h > 0 else '+'}{abs(h)})^{{2}}"
    coefficient = "" if a == 1 else ("-" if a == -1 else str(a))
    tail = f"{'+' if k > 0 else '-'}{abs(k)}" if k else ""
    question = f"抛物线 $y={coefficient}{shift}{tail}$ 的顶点坐标是"
    wrong = [
        f"$({-h},{k})$",
        f"$({h},{-k})$",
        f"$({-h},{-k})$",
        f"$({k},{h})$",
        f"$({h + 1},{k + a})$",
    ]
    return value_draft(rng, question, f"$({h},{k})$", wrong, difficulty=-0.5)


@register("二次函数y=a(x-h)²+k的图象和性质")
def _shift_parabola(rng: np.random.Generator) -> Draft:
    a, h, k = randint(rng, 1, 3), randint(rng, 1, 4), randint(rng, 1, 5)
    coefficient = "" if a == 1 else str(a)
    question = (
        f"将抛物线 $y={coefficient}x^{{2}}$ 先向右平移 ${h}$ 个单位长度，再向上平移 ${k}$ "
        "个单位长度，所得抛物线的解析式是"
    )
    answer = f"$y={coefficient}(x-{h})^{{2}}+{k}$"
    wrong = [
        f"$y={coefficient}(x+{h})^{{2}}+{k}$",
        f"$y={coefficient}(x-{h})^{{2}}-{k}$",
        f"$y={coefficient}(x+{h})^{{2}}-{k}$",
    ]
    return value_draft(rng, question, answer, wrong, difficulty=-0.2)


@register("二次函数y=ax²+bx+c的图象和性质")
def _vertex_from_coefficients(rng: np.random.Generator) -> Draft:
    a, h, k = randint(rng, -3, 3, nonzero=True), randint(rng, -4, 4), randint(rng, -8, 8)
    b, c = -2 * a * h, a * h * h + k
    question = f"二次函数 $y={quadratic(a, b, c)}$ 的图象的顶点坐标是"
    wrong = [f"$({-h},{k})$", f"$({h},{c})$", f"$({-h},{-k})$", f"$({k},{h})$", f"$(0,{c + 1})$"]
    return value_draft(rng, question, f"$({h},{k})$", wrong, difficulty=0.0)


@register("二次函数y=ax²+bx+c的图象和性质")
def _axis_and_max(rng: np.random.Generator) -> Draft:
    a, h, k = -randint(rng, 1, 3), randint(rng, -4, 4), randint(rng, -8, 8)
    b, c = -2 * a * h, a * h * h + k
    question = f"二次函数 $y={quadratic(a, b, c)}$ 的最大值是"
    return value_draft(
        rng, question, mnum(k), [mnum(c), mnum(h), mnum(-k)], difficulty=0.2, numeric=k
    )


@register("用待定系数法求二次函数的解析式")
def _through_points(rng: np.random.Generator) -> Draft:
    a, b, c = randint(rng, -2, 2, nonzero=True), randint(rng, -4, 4), randint(rng, -5, 5)
    xs = (-1, 0, 1)
    ys = [a * x * x + b * x + c for x in xs]
    stem = (
        f"已知二次函数 $y=ax^{{2}}+bx+c$ 的图象经过点 $(-1,{ys[0]})$，$(0,{ys[1]})$，$(1,{ys[2]})$"
        "，"
        "求这个二次函数的解析式。"
    )
    steps = (
        Step(
            f"把三点坐标代入，得 $\\begin{{cases}}a-b+c={ys[0]}\\\\c={ys[1]}\\\\a+b+c={ys[2]}\\end"
            f"{{cases}}$",
            "正确代入列方程组",
            3,
        ),
        Step(f"解得 $a={a}$，$b={b}$，$c={c}$", "正确解方程组", 2),
        Step(f"所以这个二次函数的解析式为 $y={quadratic(a, b, c)}$。", "写出解析式", 1),
    )
    return SolutionDraft(stem, steps, difficulty=0.3)


@register("抛物线与x轴的交点")
def _x_intercepts(rng: np.random.Generator) -> Draft:
    r1, r2 = two_roots(rng)
    question = f"抛物线 $y={quadratic(1, -(r1 + r2), r1 * r2)}$ 与 $x$ 轴的交点坐标是"
    low, high = sorted((r1, r2))
    answer = f"$({low},0)$，$({high},0)$"
    wrong = [
        f"$({-high},0)$，$({-low},0)$",
        f"$(0,{low})$，$(0,{high})$",
        f"$(0,{r1 * r2})$",
        f"$({low},0)$",
        f"$({low - 1},0)$，$({high + 1},0)$",
    ]
    return value_draft(rng, question, answer, wrong, difficulty=-0.1)


@register("抛物线与x轴的交点")
def _intercept_count(rng: np.random.Generator) -> Draft:
    a, b, c = randint(rng, -3, 3, nonzero=True), randint(rng, -6, 6), randint(rng, -5, 5)
    delta = b * b - 4 * a * c
    count = 2 if delta > 0 else (1 if delta == 0 else 0)
    question = f"抛物线 $y={quadratic(a, b, c)}$ 与 $x$ 轴的交点个数是"
    return value_draft(
        rng, question, mnum(count), [mnum(v) for v in (0, 1, 2, 3) if v != count], difficulty=-0.1
    )


@register("利用图象求一元二次方程的近似解")
def _approximate_root(rng: np.random.Generator) -> Draft:
    n = pick(rng, (2, 3, 5, 6, 7, 8))
    xs = [Fraction(int(np.floor(np.sqrt(n) * 10)) + d, 10) for d in (-1, 0, 1, 2)]
    values = [x * x - n for x in xs]
    table = "；".join(f"$x={dec(x)}$ 时，$y={dec(v)}$" for x, v in zip(xs, values, strict=True))
    low = next(x for x, after in pairwise(xs) if x * x < n < after * after)
    question = (
        f"根据二次函数 $y=x^{{2}}-{n}$ 的对应值：{table}，可知方程 $x^{{2}}-{n}=0$ 的一个"
        "正根的范围是"
    )
    answer = f"${dec(low)}<x<{dec(low + Fraction(1, 10))}$"
    wrong = [f"${dec(x)}<x<{dec(x + Fraction(1, 10))}$" for x in xs if x != low]
    return value_draft(rng, question, answer, wrong, difficulty=0.2)


@register("最大利润问题")
def _max_profit(rng: np.random.Generator) -> Draft:
    cost, sold, per = randint(rng, 20, 40), randint(rng, 20, 40) * 10, randint(rng, 1, 2) * 10
    price = cost + randint(rng, 5, 10)
    # profit(x) = (price + x − cost)(sold − per·x), x = yuan of price rise
    m = price - cost
    best = Fraction(sold - per * m, 2 * per)
    while best.denominator != 1 or best <= 0:
        sold += 10
        best = Fraction(sold - per * m, 2 * per)
    top = (m + best) * (sold - per * best)
    stem = (
        f"某商品进价为每件 ${cost}$ 元，当售价为每件 ${price}$ 元时，每天可卖出 ${sold}$ 件。市场"
        "调查发现：售价每上涨 $1$ 元，"
        f"每天少卖 ${per}$ 件。设每件商品涨价 $x$ 元（$x$ 为整数），每天的利润为 $y$ 元。（1）求 $"
        "y$ 与 $x$ 的函数解析式；"
        "（2）每件商品的售价定为多少元时，每天的利润最大？最大利润是多少？"
    )
    steps = (
        Step(
            f"（1）$y=({m}+x)({sold}-{per}x)$，即 $y={quadratic(-per, sold - per * m, m * sold)}$"
            "。",
            "正确列出函数解析式",
            4,
        ),
        Step(f"（2）$y=-{per}(x-{num(best)})^{{2}}+{num(top)}$，", "配方或用顶点公式求对称轴", 3),
        Step(
            f"因为 $-{per}<0$，所以当 $x={num(best)}$ 时，$y$ 有最大值 ${num(top)}$。",
            "说明开口方向并求最值",
            2,
        ),
        Step(
            f"答：售价定为每件 ${num(price + best)}$ 元时，每天的利润最大，最大利润为 ${num(top)}$"
            " 元。",
            "作答",
            1,
        ),
    )
    return SolutionDraft(
        stem, steps, difficulty=1.0, extra_kps=("二次函数y=ax²+bx+c的图象和性质", "销售利润问题")
    )


@register("几何图形面积最值问题")
def _fence(rng: np.random.Generator) -> Draft:
    total = randint(rng, 10, 30) * 2
    if rng.random() < 0.5:
        question = f"用长为 ${total}$ m 的篱笆围成一个矩形菜园，菜园的最大面积是"
        value = Fraction(total * total, 16)
        return value_draft(
            rng,
            question,
            mdec(value)[:-1] + "$ m²",
            [
                mdec(v)[:-1] + "$ m²"
                for v in (Fraction(total * total, 4), Fraction(total * total, 8), value - 1)
            ],
            difficulty=0.2,
        )
    stem = (
        f"如图，利用一面足够长的墙，用长为 ${total}$ m 的篱笆围成一个矩形养鸡场（墙的一边不用篱笆"
        "），"
        "设垂直于墙的一边长为 $x$ m，养鸡场的面积为 $S$ m²。（1）求 $S$ 与 $x$ 的函数解析式及 $x$ "
        "的取值范围；"
        "（2）当 $x$ 为何值时，$S$ 最大？最大值是多少？"
    )
    best = Fraction(total, 4)
    top = best * (total - 2 * best)
    steps = (
        Step(f"（1）$S=x({total}-2x)=-2x^{{2}}+{total}x$，", "正确列出函数解析式", 3),
        Step(f"其中 $0<x<{dec(Fraction(total, 2))}$。", "写出自变量取值范围", 2),
        Step(f"（2）$S=-2(x-{dec(best)})^{{2}}+{dec(top)}$，", "配方", 3),
        Step(
            f"所以当 $x={dec(best)}$ 时，$S$ 最大，最大值为 ${dec(top)}$ m²。", "求出最值并作答", 2
        ),
    )
    return SolutionDraft(stem, steps, difficulty=0.9, extra_kps=("二次函数y=ax²+bx+c的图象和性质",))
