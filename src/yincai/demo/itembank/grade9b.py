"""Templates for 九下 第二十六章 反比例函数, 第二十七章 相似."""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from yincai.demo.itembank.drafts import (
    Draft,
    Registry,
    SolutionDraft,
    StatementDraft,
    Step,
    dec,
    fixed_registrar,
    mdec,
    mnum,
    num,
    pick,
    poly,
    randint,
    registrar,
    sample,
    value_draft,
)

TEMPLATES: Registry = {}
register = registrar(TEMPLATES)
fixed = fixed_registrar(TEMPLATES)


def hyperbola(k: int) -> str:
    return f"y=\\frac{{{k}}}{{x}}" if k > 0 else f"y=-\\frac{{{-k}}}{{x}}"


@register("反比例函数的概念")
def _inverse_definition(rng: np.random.Generator) -> Draft:
    x, k = randint(rng, -6, 6, nonzero=True), randint(rng, -12, 12, nonzero=True)
    question = (
        f"已知反比例函数 $y=\\frac{{k}}{{x}}$ 的图象经过点 $({x},{num(Fraction(k, x))})$，"
        "则 $k$ 的值是"
    )
    return value_draft(
        rng,
        question,
        mnum(k),
        [mnum(-k), mnum(Fraction(k, x * x)), mnum(Fraction(1, k))],
        difficulty=-0.5,
    )


@register("反比例函数的图象和性质")
def _inverse_quadrants(rng: np.random.Generator) -> Draft:
    k = randint(rng, -9, 9, nonzero=True)
    return StatementDraft(
        f"关于反比例函数 ${hyperbola(k)}$，下列说法中",
        (
            f"图象位于第{'一、三' if k > 0 else '二、四'}象限",
            f"在每个象限内，$y$ 随 $x$ 的增大而{'减小' if k > 0 else '增大'}",
            f"图象经过点 $(1,{k})$",
            "图象关于原点成中心对称",
        ),
        (
            f"图象位于第{'二、四' if k > 0 else '一、三'}象限",
            f"在每个象限内，$y$ 随 $x$ 的增大而{'增大' if k > 0 else '减小'}",
            f"图象经过点 $(1,{-k})$",
            "图象与坐标轴有交点",
        ),
        difficulty=-0.2,
    )


@register("反比例函数中k的几何意义")
def _k_area(rng: np.random.Generator) -> Draft:
    k = randint(rng, -12, 12, nonzero=True)
    question = (
        f"点 $P$ 是反比例函数 ${hyperbola(k)}$ 图象上的一点，过点 $P$ 作 $PA\\perp x$ 轴于点 $A$，"
        "则 $\\triangle POA$ 的面积是"
    )
    value = Fraction(abs(k), 2)
    return value_draft(
        rng,
        question,
        mdec(value),
        [mdec(abs(k)), mdec(k) if k < 0 else mdec(2 * k), mdec(value + 1)],
        difficulty=0.2,
    )


@register("反比例函数的实际应用")
def _pressure(rng: np.random.Generator) -> Draft:
    force = randint(rng, 2, 12) * 100
    area = pick(rng, (Fraction(1, 2), Fraction(1, 4), Fraction(1, 5), Fraction(2)))
    question = (
        f"某物体对地面的压强 $p$（Pa）与受力面积 $S$（m²）之间满足 $p=\\frac{{{force}}}{{S}}$，"
        f"当受力面积 $S={dec(area)}$ m² 时，压强 $p$ 是"
    )
    value = force / area
    wrong = [force * area, value / 2, value + 100]
    return value_draft(
        rng,
        question,
        mdec(value)[:-1] + "$ Pa",
        [mdec(w)[:-1] + "$ Pa" for w in wrong],
        difficulty=-0.4,
    )


@register("反比例函数与一次函数的综合")
def _intersection(rng: np.random.Generator) -> Draft:
    while True:
        x1, x2 = sample(rng, [-6, -4, -3, -2, -1, 1, 2, 3, 4, 6], 2)
        k = x1 * x2 * randint(rng, -2, 2, nonzero=True)
        y1, y2 = Fraction(k, x1), Fraction(k, x2)
        slope = (y2 - y1) / (x2 - x1)
        intercept = y1 - slope * x1
        whole = all(v.denominator == 1 for v in (y1, y2, slope, intercept))
        if whole and x1 * x2 < 0 and intercept != 0:
            break
    left, right = sorted((x1, x2))
    stem = (
        f"一次函数 $y=ax+b$ 的图象与反比例函数 $y=\\frac{{k}}{{x}}$ 的图象交于 $A({x1},{y1})$，$B("
        f"{x2},m)$ 两点。"
        "（1）求反比例函数和一次函数的解析式；（2）求 $\\triangle AOB$ 的面积；"
        "（3）直接写出 $ax+b>\\frac{k}{x}$ 时 $x$ 的取值范围。"
    )
    c = intercept  # line meets the y-axis at (0, c)
    area = abs(c) * abs(x2 - x1) / 2
    above = f"$x<{left}$ 或 $0<x<{right}$" if slope < 0 else f"${left}<x<0$ 或 $x>{right}$"
    steps = (
        Step(
            f"（1）把 $A({x1},{y1})$ 代入 $y=\\frac{{k}}{{x}}$，得 $k={k}$，所以反比例函数的解析式"
            f"为 ${hyperbola(k)}$；",
            "求出反比例函数解析式",
            2,
        ),
        Step(f"把 $x={x2}$ 代入，得 $m={y2}$，即 $B({x2},{y2})$。", "求出点 $B$ 的坐标", 1),
        Step(
            f"把 $A$、$B$ 坐标代入 $y=ax+b$，解得 $a={num(slope)}$，$b={num(intercept)}$，"
            f"所以一次函数的解析式为 $y={poly([(slope, 'x'), (intercept, '')])}$。",
            "待定系数法求出一次函数解析式",
            3,
        ),
        Step(
            f"（2）直线与 $y$ 轴交于点 $(0,{num(c)})$，$S_{{\\triangle AOB}}=\\frac{{1}}{{2}}\\tim"
            f"es{num(abs(c))}\\times{abs(x2 - x1)}={num(area)}$。",
            "分割法求面积",
            3,
        ),
        Step(f"（3）{above}。", "结合图象写出取值范围", 2),
    )
    return SolutionDraft(
        stem,
        steps,
        difficulty=1.2,
        extra_kps=("反比例函数的图象和性质", "待定系数法求一次函数解析式"),
    )


@register("相似图形与成比例线段")
def _proportion(rng: np.random.Generator) -> Draft:
    a, b = sample(rng, [2, 3, 4, 5, 7], 2)
    question = f"若 $\\frac{{x}}{{y}}=\\frac{{{a}}}{{{b}}}$，则 $\\frac{{x+y}}{{y}}$ 的值是"
    value = Fraction(a + b, b)
    return value_draft(
        rng,
        question,
        mnum(value),
        [mnum(Fraction(a + b, a)), mnum(Fraction(a, a + b)), mnum(Fraction(b, a + b))],
        difficulty=-0.3,
    )


@register("相似多边形的性质")
def _similar_polygons(rng: np.random.Generator) -> Draft:
    p, q = sample(rng, [1, 2, 3, 4, 5], 2)
    question = f"两个相似多边形的相似比为 ${p}:{q}$，则它们的面积比是"
    return value_draft(
        rng,
        question,
        f"${p * p}:{q * q}$",
        [f"${p}:{q}$", f"${q * q}:{p * p}$", f"${2 * p}:{2 * q + 1}$"],
        difficulty=-0.4,
    )


@register("平行线分线段成比例")
def _intercept_theorem(rng: np.random.Generator) -> Draft:
    ad, db, ae = randint(rng, 2, 6), randint(rng, 2, 6), randint(rng, 2, 8)
    question = (
        "在 $\\triangle ABC$ 中，$DE\\parallel BC$，点 $D$、$E$ 分别在 $AB$、$AC$ 上，$AD"
        f"={ad}$，$DB={db}$，$AE={ae}$，则 $EC$ 的长是"
    )
    value = Fraction(ae * db, ad)
    return value_draft(
        rng,
        question,
        mdec(value),
        [
            mdec(Fraction(ae * ad, db)),
            mdec(ae + db - ad) if ae + db != ad else mdec(1),
            mdec(Fraction(ae * (ad + db), ad)),
        ],
        difficulty=0.0,
        numeric=value,
        fmt=mdec,
    )


fixed("similarity_tests")


@register("相似三角形的性质")
def _similar_ratios(rng: np.random.Generator) -> Draft:
    p, q = sample(rng, [1, 2, 3, 4, 5], 2)
    kind = pick(rng, ("周长", "面积", "对应高"))
    ratio = f"${p * p}:{q * q}$" if kind == "面积" else f"${p}:{q}$"
    question = f"$\\triangle ABC\\sim\\triangle DEF$，相似比为 ${p}:{q}$，则它们的{kind}之比是"
    options = {
        f"${p}:{q}$",
        f"${p * p}:{q * q}$",
        f"${q}:{p}$",
        f"${p}:{q * q}$",
        f"${q * q}:{p * p}$",
        f"${p**3}:{q**3}$",
    }
    return value_draft(rng, question, ratio, sorted(options - {ratio}), difficulty=-0.4)


@register("相似三角形的应用举例")
def _shadow(rng: np.random.Generator) -> Draft:
    pole, shadow = pick(
        rng, ((Fraction(3, 2), Fraction(1)), (Fraction(2), Fraction(1)), (Fraction(1), Fraction(2)))
    )
    tree_shadow = randint(rng, 3, 12) * 2
    height = pole / shadow * tree_shadow
    question = (
        f"在同一时刻，身高 ${dec(pole)}$ m 的小明在阳光下的影长为 ${dec(shadow)}$ m，"
        f"一棵树的影长为 ${tree_shadow}$ m，则这棵树的高度是"
    )
    wrong = [shadow / pole * tree_shadow, height + 2, tree_shadow + pole]
    return value_draft(
        rng,
        question,
        mdec(height)[:-1] + "$ m",
        [mdec(w)[:-1] + "$ m" for w in wrong],
        difficulty=-0.2,
        extra_kps=("平行投影与中心投影",),
    )


fixed("homothety_facts")


@register("用坐标表示位似")
def _homothety_point(rng: np.random.Generator) -> Draft:
    x, y, k = (
        randint(rng, -4, 4, nonzero=True),
        randint(rng, -4, 4, nonzero=True),
        randint(rng, 2, 3),
    )
    question = (
        f"以原点 $O$ 为位似中心，把点 $A({x},{y})$ 按相似比 ${k}$ 放大，则点 $A$ 的对应点 "
        "$A'$ 的坐标是"
    )
    answer = f"$({k * x},{k * y})$ 或 $({-k * x},{-k * y})$"
    wrong = [f"$({k * x},{k * y})$", f"$({x + k},{y + k})$", f"$({-k * x},{-k * y})$"]
    return value_draft(rng, question, answer, wrong, difficulty=0.5)
