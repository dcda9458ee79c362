"""Templates for 九下 第二十八章 锐角三角函数, 第二十九章 投影与视图."""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from yincai.demo.itembank.drafts import (
    Draft,
    Registry,
    SolutionDraft,
    Step,
    dec,
    fixed_registrar,
    mnum,
    pick,
    randint,
    registrar,
    sample,
    value_draft,
)

TEMPLATES: Registry = {}
register = registrar(TEMPLATES)
fixed = fixed_registrar(TEMPLATES)


TRIPLES = ((3, 4, 5), (6, 8, 10), (5, 12, 13), (8, 15, 17), (7, 24, 25))
SPECIAL = {  # angle: (sin, cos, tan) in LaTeX
    30: ("\\frac{1}{2}", "\\frac{\\sqrt{3}}{2}", "\\frac{\\sqrt{3}}{3}"),
    45: ("\\frac{\\sqrt{2}}{2}", "\\frac{\\sqrt{2}}{2}", "1"),
    60: ("\\frac{\\sqrt{3}}{2}", "\\frac{1}{2}", "\\sqrt{3}"),
}


@register("正弦")
def _sine(rng: np.random.Generator) -> Draft:
    a, b, c = pick(rng, TRIPLES)
    question = (
        f"在 $\\mathrm{{Rt}}\\triangle ABC$ 中，$\\angle C=90^{{\\circ}}$，$BC={a}$，$AB="
        f"{c}$，则 $\\sin A$ 的值是"
    )
    return value_draft(
        rng,
        question,
        mnum(Fraction(a, c)),
        [mnum(Fraction(b, c)), mnum(Fraction(a, b)), mnum(Fraction(c, a))],
        difficulty=-0.4,
        extra_kps=("勾股定理",),
    )


@register("余弦与正切")
def _cos_tan(rng: np.random.Generator) -> Draft:
    a, b, c = pick(rng, TRIPLES)
    kind, value = pick(rng, (("\\cos A", Fraction(b, c)), ("\\tan A", Fraction(a, b))))
    question = (
        f"在 $\\mathrm{{Rt}}\\triangle ABC$ 中，$\\angle C=90^{{\\circ}}$，$BC={a}$，$AC="
        f"{b}$，则 ${kind}$ 的值是"
    )
    others = {Fraction(a, c), Fraction(b, c), Fraction(a, b), Fraction(b, a)} - {value}
    return value_draft(
        rng, question, mnum(value), [mnum(v) for v in sorted(others)], difficulty=-0.2
    )


@register("特殊角的三角函数值")
def _special_value(rng: np.random.Generator) -> Draft:
    angle, index = pick(rng, (30, 45, 60)), randint(rng, 0, 2)
    name = ("\\sin", "\\cos", "\\tan")[index]
    answer = f"${SPECIAL[angle][index]}$"
    pool = {f"${v}$" for values in SPECIAL.values() for v in values} - {answer}
    question = f"${name}{angle}^{{\\circ}}$ 的值是"
    return value_draft(rng, question, answer, sample(rng, sorted(pool), 3), difficulty=-0.7)


fixed("special_expression")


@register("解直角三角形")
def _solve_right(rng: np.random.Generator) -> Draft:
    c = randint(rng, 2, 10) * 2
    angle = pick(rng, (30, 60))
    opposite = f"{c // 2}" if angle == 30 else f"{c // 2}\\sqrt{{3}}"
    question = (
        f"在 $\\mathrm{{Rt}}\\triangle ABC$ 中，$\\angle C=90^{{\\circ}}$，$\\angle A="
        f"{angle}^{{\\circ}}$，$AB={c}$，则 $BC$ 的长是"
    )
    other = f"{c // 2}\\sqrt{{3}}" if angle == 30 else f"{c // 2}"
    return value_draft(
        rng,
        question,
        f"${opposite}$",
        [f"${other}$", mnum(c), f"${c}\\sqrt{{3}}$"],
        difficulty=-0.1,
    )


@register("仰角俯角问题")
def _elevation(rng: np.random.Generator) -> Draft:
    distance = randint(rng, 2, 9) * 10
    eye = Fraction(randint(rng, 14, 17), 10)
    stem = (
        f"小明在距离一座楼房底部 ${distance}$ m 的点 $C$ 处，测得楼顶 $A$ 的仰角为 $60^{{\\circ}}$"
        "，"
        f"小明的眼睛离地面 ${dec(eye)}$ m。（1）画出示意图并说明所用的直角三角形；（2）求楼房的高"
        "度（结果保留根号）。"
    )
    steps = (
        Step(
            "（1）过眼睛所在点 $D$ 作 $DE\\perp AB$ 于点 $E$，得 $\\mathrm{Rt}\\triangle ADE$，其"
            "中 "
            f"$DE={distance}$ m，$\\angle ADE=60^{{\\circ}}$，$BE={dec(eye)}$ m。",
            "正确构造直角三角形",
            3,
        ),
        Step(
            "（2）在 $\\mathrm{Rt}\\triangle ADE$ 中，$\\tan 60^{\\circ}=\\frac{AE}{DE}$，",
            "选用正确的三角函数",
            2,
        ),
        Step(
            f"$\\therefore AE=DE\\cdot\\tan 60^{{\\circ}}={distance}\\sqrt{{3}}$ m，",
            "求出 $AE$",
            2,
        ),
        Step(
            f"$\\therefore AB=AE+BE=({distance}\\sqrt{{3}}+{dec(eye)})$ m。", "加上眼高求出楼高", 2
        ),
        Step(f"答：楼房的高度为 $({distance}\\sqrt{{3}}+{dec(eye)})$ m。", "作答", 1),
    )
    return SolutionDraft(stem, steps, difficulty=0.9, extra_kps=("特殊角的三角函数值",))


@register("坡度坡角与方位角问题")
def _slope(rng: np.random.Generator) -> Draft:
    height, ratio = randint(rng, 2, 12), pick(rng, (1, 2, 3))
    if rng.random() < 0.5:
        question = (
            f"一段坡面的坡度 $i=1:{ratio}$，坡面的铅直高度为 ${height}$ m，则坡面的水平宽度是"
        )
        return value_draft(
            rng,
            question,
            f"${height * ratio}$ m",
            [f"${height}$ m", f"${height + ratio}$ m", f"${height * ratio + 2}$ m"],
            difficulty=-0.2,
        )
    question = "一段斜坡的坡度 $i=1:\\sqrt{3}$，则这段斜坡的坡角 $\\alpha$ 的度数是"
    return value_draft(
        rng,
        question,
        "$30^{\\circ}$",
        ["$60^{\\circ}$", "$45^{\\circ}$", "$90^{\\circ}$"],
        difficulty=0.1,
    )


fixed("projection_facts")


fixed("orthographic")


fixed("views")


@register("由三视图确定几何体")
def _from_views(rng: np.random.Generator) -> Draft:
    solids = (
        ("主视图和左视图都是等腰三角形，俯视图是带圆心的圆", "圆锥"),
        ("主视图和左视图都是长方形，俯视图是圆", "圆柱"),
        ("三视图都是圆", "球"),
        ("主视图和左视图都是长方形，俯视图是三角形", "三棱柱"),
        ("主视图和左视图都是三角形，俯视图是带对角线的正方形", "四棱锥"),
    )
    description, answer = pick(rng, solids)
    question = f"一个几何体的三视图中，{description}，则这个几何体是"
    return value_draft(
        rng, question, answer, [s for _, s in solids if s != answer][:3], difficulty=-0.5
    )
