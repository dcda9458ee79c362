"""Templates for 七下 第五章 相交线与平行线."""

from __future__ import annotations

import numpy as np

from yincai.demo.itembank.drafts import (
    Draft,
    Registry,
    SolutionDraft,
    Step,
    fixed_registrar,
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


@register("对顶角")
def _vertical_angles(rng: np.random.Generator) -> Draft:
    x = randint(rng, 20, 160)
    kind, value = pick(rng, (("BOD", x), ("BOC", 180 - x)))
    question = (
        f"直线 $AB$、$CD$ 相交于点 $O$，若 $\\angle AOC={x}^{{\\circ}}$，则 $\\angle "
        f"{kind}$ 的度数是"
    )
    wrong = [degrees(180 - value), degrees(90 - x if x < 90 else x - 90), degrees(360 - value)]
    return value_draft(rng, question, degrees(value), wrong, difficulty=-0.9)


fixed("vertical_facts")


@register("垂线与垂线段")
def _perpendicular_distance(rng: np.random.Generator) -> Draft:
    a, b, c = sample(rng, list(range(2, 10)), 3)
    shortest = min(a, b, c)
    question = (
        f"点 $P$ 为直线 $l$ 外一点，点 $A$、$B$、$C$ 为直线 $l$ 上三点，$PA={a}$ cm，$PB={b}$ cm，"
        f"$PC={c}$ cm，则点 $P$ 到直线 $l$ 的距离"
    )
    wrong = [f"等于 ${shortest}$ cm", f"小于 ${shortest}$ cm", f"等于 ${max(a, b, c)}$ cm"]
    return value_draft(rng, question, f"不大于 ${shortest}$ cm", wrong, difficulty=0.2)


fixed("perpendicular_facts")


fixed("transversal_facts")


@register("同位角、内错角、同旁内角")
def _undetermined(rng: np.random.Generator) -> Draft:
    x = randint(rng, 30, 150)
    question = (
        f"两条直线被第三条直线所截，$\\angle 1$ 与 $\\angle 2$ 是同位角，若 $\\angle 1={x}"
        f"^{{\\circ}}$，则 $\\angle 2$ 的度数"
    )
    wrong = [
        f"等于 {degrees(x)}",
        f"等于 {degrees(180 - x)}",
        f"等于 {degrees(x)} 或 {degrees(180 - x)}",
    ]
    return value_draft(rng, question, "不能确定", wrong, difficulty=0.5)


fixed("parallel_axiom")


_ANGLE_PAIRS = (("同位角", False), ("内错角", False), ("同旁内角", True))


@register("平行线的判定")
def _parallel_test(rng: np.random.Generator) -> Draft:
    x = randint(rng, 35, 145)
    kind, supplementary = pick(rng, _ANGLE_PAIRS)
    value = 180 - x if supplementary else x
    question = (
        f"直线 $a$、$b$ 被直线 $c$ 所截，$\\angle 1$ 与 $\\angle 2$ 是{kind}，"
        f"$\\angle 1={x}^{{\\circ}}$，"
        "要使 $a\\parallel b$，$\\angle 2$ 的度数应是"
    )
    wrong = [
        degrees(x if supplementary else 180 - x),
        degrees(90 - x if x < 90 else x - 90),
        degrees(360 - x),
    ]
    return value_draft(rng, question, degrees(value), wrong, difficulty=-0.3)


@register("平行线的性质")
def _parallel_property(rng: np.random.Generator) -> Draft:
    x = randint(rng, 35, 145)
    kind, supplementary = pick(rng, _ANGLE_PAIRS)
    value = 180 - x if supplementary else x
    question = (
        f"已知 $a\\parallel b$，直线 $c$ 与 $a$、$b$ 分别相交，$\\angle 1$ 与 $\\angle 2$ 是{kind}"
        "，"
        f"$\\angle 1={x}^{{\\circ}}$，则 $\\angle 2$ 的度数是"
    )
    wrong = [degrees(x if supplementary else 180 - x), degrees(abs(90 - x)), degrees(360 - 2 * x)]
    return value_draft(
        rng, question, degrees(value), wrong, difficulty=-0.4, extra_kps=("平行线的判定",)
    )


@register("平行线的性质")
def _zigzag(rng: np.random.Generator) -> Draft:
    b, d = randint(rng, 20, 70), randint(rng, 20, 70)
    stem = (
        "已知 $AB\\parallel CD$，点 $E$ 在直线 $AB$ 与 $CD$ 之间，点 $A$、$C$、$E$ 都在直线 $BD$ "
        "的左侧，"
        f"连接 $BE$、$DE$，$\\angle ABE={b}^{{\\circ}}$，$\\angle CDE={d}^{{\\circ}}$，求 $\\angle"
        " BED$ 的度数。"
    )
    steps = (
        Step("过点 $E$ 作 $EF\\parallel AB$（点 $F$ 在点 $E$ 左侧）。", "正确作出辅助线", 2),
        Step(
            "$\\because AB\\parallel CD$，$\\therefore EF\\parallel CD$（平行于同一条直线的两条直"
            "线平行）。",
            "由平行公理的推论得 $EF\\parallel CD$",
            1,
        ),
        Step(
            f"$\\therefore \\angle BEF=\\angle ABE={b}^{{\\circ}}$，$\\angle DEF=\\angle CDE={d}^"
            f"{{\\circ}}$（两直线平行，内错角相等）。",
            "由平行线的性质得出两组等角",
            2,
        ),
        Step(
            f"$\\therefore \\angle BED=\\angle BEF+\\angle DEF={b + d}^{{\\circ}}$。", "求出结果", 1
        ),
    )
    return SolutionDraft(stem, steps, difficulty=0.6, extra_kps=("平行公理及推论",))


fixed("propositions")


@register("命题、定理、证明")
def _counterexample(rng: np.random.Generator) -> Draft:
    a, b = sample(rng, list(range(2, 8)), 2)
    big, small = max(a, b), min(a, b)
    question = "能说明命题“若 $a^{2}>b^{2}$，则 $a>b$”是假命题的一组 $a$、$b$ 的值是"
    answer = f"$a={-big}$，$b={small}$"
    wrong = [f"$a={big}$，$b={small}$", f"$a={big}$，$b={-small}$", f"$a={-small}$，$b={-big}$"]
    return value_draft(rng, question, answer, wrong, difficulty=0.4)


fixed("translation_facts")


@register("平移的性质")
def _translation_distance(rng: np.random.Generator) -> Draft:
    d, bc = randint(rng, 2, 6), randint(rng, 7, 12)
    perimeter = bc + randint(rng, 8, 20)
    if rng.random() < 0.5:
        question = (
            f"将周长为 ${perimeter}$ cm 的 $\\triangle ABC$ 沿 $BC$ 方向平移 ${d}$ cm 得到 $\\tria"
            "ngle DEF$，"
            "则四边形 $ABFD$ 的周长是"
        )
        value = perimeter + 2 * d
        wrong = [perimeter + d, perimeter, perimeter + 4 * d]
    else:
        question = (
            "将 $\\triangle ABC$ 沿 $BC$ 方向平移得到 $\\triangle DEF$，点 $B$、$E$、$C$、$F$ 依"
            "次在同一直线上，"
            f"若 $BF={bc + d}$ cm，$EC={bc - d}$ cm，则平移的距离是"
        )
        value = d
        wrong = [2 * d, bc, bc - d]
    return value_draft(rng, question, f"${value}$ cm", [f"${w}$ cm" for w in wrong], difficulty=0.1)
