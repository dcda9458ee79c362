"""Templates for 八上 第十一章 三角形, 第十二章 全等三角形."""

from __future__ import annotations

import numpy as np

from yincai.demo.itembank.drafts import (
    Draft,
    Registry,
    SolutionDraft,
    StatementDraft,
    Step,
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


@register("三角形的三边关系")
def _third_side(rng: np.random.Generator) -> Draft:
    a, b = sample(rng, list(range(2, 12)), 2)
    low, high = abs(a - b), a + b
    question = f"一个三角形的两边长分别为 ${a}$ 和 ${b}$，则第三边长 $x$ 的取值范围是"
    wrong = [f"${low}\\leq x\\leq {high}$", f"$x>{low}$", f"$0<x<{high}$"]
    return value_draft(rng, question, f"${low}<x<{high}$", wrong, difficulty=-0.3)


@register("三角形的三边关系")
def _can_form(rng: np.random.Generator) -> Draft:
    triples = [(a, b, c) for a in range(2, 9) for b in range(a, 10) for c in range(b, 12)]
    good = [t for t in triples if t[0] + t[1] > t[2]]
    bad = [t for t in triples if t[0] + t[1] <= t[2]]
    show = [f"${a}$ cm，${b}$ cm，${c}$ cm" for a, b, c in sample(rng, good, 3)]
    wrong = [f"${a}$ cm，${b}$ cm，${c}$ cm" for a, b, c in sample(rng, bad, 4)]
    return StatementDraft(
        "下列各组线段中",
        tuple(show),
        tuple(wrong),
        ask_true="能组成三角形的是",
        ask_false="不能组成三角形的是",
        claim="，这三条线段能组成三角形",
        difficulty=-0.6,
    )


@register("三角形的高、中线与角平分线")
def _median_area(rng: np.random.Generator) -> Draft:
    area = randint(rng, 3, 20) * 2
    question = (
        f"$AD$ 是 $\\triangle ABC$ 的中线，若 $\\triangle ABC$ 的面积为 ${area}$ cm²，则 $"
        "\\triangle ABD$ 的面积是"
    )
    wrong = [
        f"${area}$ cm²",
        f"${area // 4 if area % 4 == 0 else area * 2}$ cm²",
        f"${area // 2 + 2}$ cm²",
    ]
    return value_draft(rng, question, f"${area // 2}$ cm²", wrong, difficulty=-0.5)


fixed("altitude_facts")


fixed("stability")


@register("三角形的内角和")
def _angle_sum(rng: np.random.Generator) -> Draft:
    if rng.random() < 0.5:
        a, b = randint(rng, 30, 80), randint(rng, 30, 80)
        question = (
            f"在 $\\triangle ABC$ 中，$\\angle A={a}^{{\\circ}}$，"
            f"$\\angle B={b}^{{\\circ}}$，则 $\\angle C$ 的度数是"
        )
        value = 180 - a - b
        wrong = [degrees(a + b), degrees(90 - abs(a - b)), degrees(360 - a - b)]
    else:
        p, q, r = sample(rng, [1, 2, 3, 4, 5], 3)
        while 180 % (p + q + r):
            p, q, r = sample(rng, [1, 2, 3, 4, 5], 3)
        question = (
            f"在 $\\triangle ABC$ 中，$\\angle A:\\angle B:\\angle C={p}:{q}:{r}$，则最大角的度数是"
        )
        value = 180 * max(p, q, r) // (p + q + r)
        wrong = [degrees(180 * min(p, q, r) // (p + q + r)), degrees(90), degrees(value + 15)]
    return value_draft(
        rng, question, degrees(value), wrong, difficulty=-0.5, numeric=value, step=5, fmt=degrees
    )


@register("三角形的外角")
def _exterior(rng: np.random.Generator) -> Draft:
    a, b = randint(rng, 25, 75), randint(rng, 25, 75)
    question = (
        f"在 $\\triangle ABC$ 中，$\\angle A={a}^{{\\circ}}$，$\\angle B={b}^{{\\circ}}$，$\\angle"
        " ACD$ 是 "
        "$\\triangle ABC$ 的一个外角（点 $D$ 在 $BC$ 的延长线上），则 $\\angle ACD$ 的度数是"
    )
    wrong = [degrees(180 - a - b), degrees(180 - a), degrees(abs(a - b) + 90)]
    return value_draft(
        rng, question, degrees(a + b), wrong, difficulty=-0.3, extra_kps=("三角形的内角和",)
    )


@register("多边形的对角线")
def _diagonals(rng: np.random.Generator) -> Draft:
    n = randint(rng, 5, 12)
    if rng.random() < 0.5:
        question = f"从 ${n}$ 边形的一个顶点出发，可以画出对角线的条数是"
        return value_draft(
            rng, question, mnum(n - 3), [mnum(n - 2), mnum(n), mnum(n - 1)], difficulty=-0.7
        )
    value = n * (n - 3) // 2
    question = f"一个 ${n}$ 边形共有对角线的条数是"
    return value_draft(
        rng,
        question,
        mnum(value),
        [mnum(n * (n - 3)), mnum(n - 3), mnum(n * (n - 1) // 2)],
        difficulty=-0.1,
    )


@register("多边形的内角和与外角和")
def _polygon_angles(rng: np.random.Generator) -> Draft:
    n = randint(rng, 5, 12)
    kind = pick(rng, ("内角和", "边数", "正多边形每个外角"))
    if kind == "内角和":
        question = f"${n}$ 边形的内角和是"
        value = (n - 2) * 180
        wrong = [degrees(n * 180), degrees((n - 1) * 180), degrees(360)]
        return value_draft(rng, question, degrees(value), wrong, difficulty=-0.6)
    if kind == "边数":
        question = f"一个多边形的内角和是 ${(n - 2) * 180}^{{\\circ}}$，则这个多边形的边数是"
        return value_draft(
            rng, question, mnum(n), [mnum(n - 2), mnum(n + 2), mnum(n - 1)], difficulty=-0.3
        )
    n = pick(rng, (5, 6, 8, 9, 10, 12))
    question = f"正 ${n}$ 边形的每一个外角的度数是"
    wrong = [degrees((n - 2) * 180 // n), degrees(180 // n * 2 + 10), degrees(360 // n + 10)]
    return value_draft(rng, question, degrees(360 // n), wrong, difficulty=-0.4)


fixed("congruent_concept")


@register("全等三角形的性质")
def _congruent_parts(rng: np.random.Generator) -> Draft:
    a, b = randint(rng, 30, 80), randint(rng, 30, 80)
    side = randint(rng, 3, 12)
    if rng.random() < 0.5:
        question = (
            f"已知 $\\triangle ABC\\cong\\triangle DEF$，$\\angle A={a}^{{\\circ}}$，$\\angle E="
            f"{b}^{{\\circ}}$，"
            "则 $\\angle F$ 的度数是"
        )
        wrong = [degrees(a), degrees(b), degrees(180 - a)]
        return value_draft(rng, question, degrees(180 - a - b), wrong, difficulty=-0.4)
    question = f"已知 $\\triangle ABC\\cong\\triangle DEF$，$BC={side}$ cm，则 $EF$ 的长是"
    other = randint(rng, 3, 12)
    wrong = [
        f"${other}$ cm" if other != side else f"${side + 1}$ cm",
        f"${2 * side}$ cm",
        "无法确定",
    ]
    return value_draft(rng, question, f"${side}$ cm", wrong, difficulty=-1.0)


_CRITERIA = ("SSS", "SAS", "ASA", "AAS", "HL")


def _congruence_question(rng: np.random.Generator, criterion: str) -> Draft:
    given = {
        "SSS": "$AB=DE$，$BC=EF$，$AC=DF$",
        "SAS": "$AB=DE$，$\\angle B=\\angle E$，$BC=EF$",
        "ASA": "$\\angle A=\\angle D$，$AB=DE$，$\\angle B=\\angle E$",
        "AAS": "$\\angle A=\\angle D$，$\\angle B=\\angle E$，$BC=EF$",
        "HL": "$\\angle C=\\angle F=90^{\\circ}$，$AB=DE$，$AC=DF$",
    }[criterion]
    question = (
        f"在 $\\triangle ABC$ 和 $\\triangle DEF$ 中，已知 {given}，则判定 $\\triangle ABC"
        "\\cong\\triangle DEF$ 的依据是"
    )
    wrong = [c for c in _CRITERIA if c != criterion]
    return value_draft(rng, question, criterion, sample(rng, wrong, 3), difficulty=-0.4)


@register("三角形全等的判定（SSS）")
def _sss(rng: np.random.Generator) -> Draft:
    if rng.random() < 0.5:
        return _congruence_question(rng, "SSS")
    stem = (
        "已知：点 $A$、$D$、$B$、$E$ 在同一直线上，$AC=DF$，$BC=EF$，$AD=BE$。求证：$\\angle C"
        "=\\angle F$。"
    )
    steps = (
        Step(
            "$\\because AD=BE$，$\\therefore AD+DB=BE+DB$，即 $AB=DE$。", "由线段和差得 $AB=DE$", 2
        ),
        Step(
            "在 $\\triangle ABC$ 和 $\\triangle DEF$ 中，$AC=DF$，$BC=EF$，$AB=DE$，",
            "列全三个条件",
            2,
        ),
        Step("$\\therefore \\triangle ABC\\cong\\triangle DEF$（SSS），", "判定全等并写出依据", 2),
        Step("$\\therefore \\angle C=\\angle F$（全等三角形的对应角相等）。", "由全等得出结论", 1),
    )
    return SolutionDraft(stem, steps, difficulty=0.3)


@register("三角形全等的判定（SAS）")
def _sas(rng: np.random.Generator) -> Draft:
    if rng.random() < 0.5:
        return _congruence_question(rng, "SAS")
    stem = (
        "已知：$AB=AC$，$AD=AE$，$\\angle BAD=\\angle CAE$（点 $D$、$E$ 在 $BC$ 上）。求证：$B"
        "D=CE$。"
    )
    steps = (
        Step(
            "在 $\\triangle ABD$ 和 $\\triangle ACE$ 中，$AB=AC$，$\\angle BAD=\\angle CAE$，$AD=A"
            "E$，",
            "列出两边及夹角",
            3,
        ),
        Step("$\\therefore \\triangle ABD\\cong\\triangle ACE$（SAS），", "判定全等并写出依据", 2),
        Step("$\\therefore BD=CE$（全等三角形的对应边相等）。", "由全等得出结论", 1),
    )
    return SolutionDraft(stem, steps, difficulty=0.2)


@register("三角形全等的判定（ASA、AAS）")
def _asa(rng: np.random.Generator) -> Draft:
    return _congruence_question(rng, pick(rng, ("ASA", "AAS")))


fixed("not_enough")


@register("直角三角形全等的判定（HL）")
def _hl(rng: np.random.Generator) -> Draft:
    if rng.random() < 0.5:
        return _congruence_question(rng, "HL")
    stem = "已知：$AC\\perp BC$，$BD\\perp AD$，垂足分别为 $C$、$D$，$AC=BD$。求证：$BC=AD$。"
    steps = (
        Step(
            "$\\because AC\\perp BC$，$BD\\perp AD$，$\\therefore \\angle C=\\angle D=90^{\\circ}$"
            "。",
            "得出两个直角",
            1,
        ),
        Step(
            "在 $\\mathrm{Rt}\\triangle ABC$ 和 $\\mathrm{Rt}\\triangle BAD$ 中，$AB=BA$，$AC=BD$"
            "，",
            "找出斜边和直角边",
            2,
        ),
        Step(
            "$\\therefore \\mathrm{Rt}\\triangle ABC\\cong\\mathrm{Rt}\\triangle BAD$（HL），",
            "判定全等并写出依据",
            2,
        ),
        Step("$\\therefore BC=AD$。", "得出结论", 1),
    )
    return SolutionDraft(stem, steps, difficulty=0.3)


@register("角平分线的性质")
def _bisector_distance(rng: np.random.Generator) -> Draft:
    d = randint(rng, 2, 9)
    question = (
        f"在 $\\mathrm{{Rt}}\\triangle ABC$ 中，$\\angle C=90^{{\\circ}}$，$AD$ 平分 $\\angle BAC$"
        " 交 $BC$ 于点 $D$，"
        f"$CD={d}$ cm，则点 $D$ 到 $AB$ 的距离是"
    )
    wrong = [f"${2 * d}$ cm", f"${d + 1}$ cm", "无法确定"]
    return value_draft(rng, question, f"${d}$ cm", wrong, difficulty=-0.2)


fixed("bisector_locus")
