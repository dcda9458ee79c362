"""Templates for 八上 第十三章 轴对称."""

from __future__ import annotations

import numpy as np

from yincai.demo.itembank.drafts import (
    Draft,
    Registry,
    fixed_registrar,
    mnum,
    pick,
    randint,
    registrar,
    sample,
    value_draft,
)
from yincai.demo.itembank.geometry7a import degrees

TEMPLATES: Registry = {}
register = registrar(TEMPLATES)
fixed = fixed_registrar(TEMPLATES)


fixed("symmetric_figures")


@register("线段的垂直平分线")
def _perpendicular_bisector(rng: np.random.Generator) -> Draft:
    ac, bc = randint(rng, 5, 12), randint(rng, 4, 10)
    question = (
        f"在 $\\triangle ABC$ 中，$AB$ 的垂直平分线交 $AB$ 于点 $D$，交 $AC$ 于点 $E$，连接 $BE$。"
        f"若 $AC={ac}$ cm，$BC={bc}$ cm，则 $\\triangle BCE$ 的周长是"
    )
    wrong = [f"${ac + 2 * bc}$ cm", f"${ac}$ cm", f"${2 * ac + bc}$ cm"]
    return value_draft(rng, question, f"${ac + bc}$ cm", wrong, difficulty=0.2)


@register("画轴对称图形")
def _mirror_line(rng: np.random.Generator) -> Draft:
    m = randint(rng, -3, 3, nonzero=True)
    x, y = randint(rng, -5, 5), randint(rng, -5, 5)
    question = f"点 $P({x},{y})$ 关于直线 $x={m}$ 对称的点的坐标是"
    answer = f"$({2 * m - x},{y})$"
    wrong = [f"$({-x},{y})$", f"$({x},{2 * m - y})$", f"$({2 * m + x},{y})$"]
    return value_draft(rng, question, answer, wrong, difficulty=0.4)


@register("用坐标表示轴对称")
def _axis_reflection(rng: np.random.Generator) -> Draft:
    x, y = randint(rng, -9, 9, nonzero=True), randint(rng, -9, 9, nonzero=True)
    axis = pick(rng, ("x", "y"))
    answer = f"$({x},{-y})$" if axis == "x" else f"$({-x},{y})$"
    wrong = [f"$({-x},{-y})$", f"$({x},{-y})$" if axis == "y" else f"$({-x},{y})$", f"$({y},{x})$"]
    return value_draft(
        rng, f"点 $A({x},{y})$ 关于 ${axis}$ 轴对称的点的坐标是", answer, wrong, difficulty=-0.6
    )


@register("等腰三角形的性质")
def _isosceles_angles(rng: np.random.Generator) -> Draft:
    a = randint(rng, 20, 80)
    if a == 60:
        a = 70
    question = f"若等腰三角形的一个内角为 ${a}^{{\\circ}}$，则它的顶角的度数是"
    value = f"${a}^{{\\circ}}$ 或 ${180 - 2 * a}^{{\\circ}}$"
    wrong = [degrees(a), degrees(180 - 2 * a), degrees((180 - a) // 2)]
    return value_draft(rng, question, value, wrong, difficulty=0.6)


@register("等腰三角形的性质")
def _isosceles_sides(rng: np.random.Generator) -> Draft:
    a, b = sample(rng, list(range(2, 10)), 2)
    small, big = min(a, b), max(a, b)
    options = [
        p
        for p in (2 * small + big, 2 * big + small)
        if (small + small > big or p != 2 * small + big)
    ]
    answer = " 或 ".join(f"${p}$" for p in options)
    question = f"等腰三角形的两边长分别为 ${small}$ 和 ${big}$，则它的周长是"
    wrong = [
        mnum(2 * small + big),
        mnum(2 * big + small),
        f"${2 * small + big}$ 或 ${2 * big + small}$",
        mnum(small + big),
    ]
    return value_draft(rng, question, answer, wrong, difficulty=0.5)


fixed("isosceles_test")


fixed("equilateral")


@register("含30°角的直角三角形")
def _thirty_degree(rng: np.random.Generator) -> Draft:
    c = randint(rng, 2, 12) * 2
    question = (
        f"在 $\\mathrm{{Rt}}\\triangle ABC$ 中，$\\angle C=90^{{\\circ}}$，$\\angle A=30^{{\\circ"
        f"}}$，$AB={c}$，"
        "则 $BC$ 的长是"
    )
    return value_draft(
        rng, question, mnum(c // 2), [mnum(c), mnum(2 * c), mnum(c // 2 + 2)], difficulty=-0.3
    )
