"""Templates for 九上 第二十三章 旋转, 第二十四章 圆."""

from __future__ import annotations

from fractions import Fraction

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
from yincai.demo.itembank.geometry7a import degrees

TEMPLATES: Registry = {}
register = registrar(TEMPLATES)
fixed = fixed_registrar(TEMPLATES)

TRIPLES = ((3, 4, 5), (6, 8, 10), (5, 12, 13), (8, 15, 17))


@register("旋转的概念与性质")
def _rotation_angle(rng: np.random.Generator) -> Draft:
    angle, side = randint(rng, 3, 15) * 10, randint(rng, 3, 9)
    question = (
        f"将 $\\triangle ABC$ 绕点 $A$ 按逆时针方向旋转 ${angle}^{{\\circ}}$ 得到 $\\triangle AB'C"
        "'$，"
        f"若 $AB={side}$，则 $\\angle BAB'$ 的度数和 $AB'$ 的长分别是"
    )
    answer = f"${angle}^{{\\circ}}$，${side}$"
    wrong = [
        f"${180 - angle}^{{\\circ}}$，${side}$",
        f"${angle}^{{\\circ}}$，${2 * side}$",
        f"${angle // 2}^{{\\circ}}$，${side}$",
        f"${angle}^{{\\circ}}$，${side + 1}$",
    ]
    return value_draft(rng, question, answer, wrong, difficulty=-0.6)


fixed("rotation_facts")


@register("旋转作图")
def _rotate_point(rng: np.random.Generator) -> Draft:
    x, y = randint(rng, 1, 6), randint(rng, 1, 6)
    direction, image = pick(rng, (("顺时针", (y, -x)), ("逆时针", (-y, x))))
    question = (
        f"在平面直角坐标系中，将点 $P({x},{y})$ 绕原点 $O$ {direction}旋转 $90^{{\\circ}}$"
        " 得到点 $P'$，则点 $P'$ 的坐标是"
    )
    wrong = [f"$({-image[0]},{-image[1]})$", f"$({-x},{-y})$", f"$({y},{x})$"]
    return value_draft(rng, question, f"$({image[0]},{image[1]})$", wrong, difficulty=0.3)


fixed("central_symmetry")


@register("关于原点对称的点的坐标")
def _origin_symmetry(rng: np.random.Generator) -> Draft:
    x, y = randint(rng, -9, 9, nonzero=True), randint(rng, -9, 9, nonzero=True)
    if rng.random() < 0.5:
        question = f"点 $P({x},{y})$ 关于原点对称的点的坐标是"
        wrong = [f"$({-x},{y})$", f"$({x},{-y})$", f"$({y},{x})$"]
        return value_draft(rng, question, f"$({-x},{-y})$", wrong, difficulty=-0.8)
    question = f"若点 $A(a,{y})$ 与点 $B({x},b)$ 关于原点对称，则 $a+b$ 的值是"
    value = -x - y
    return value_draft(
        rng,
        question,
        mnum(value),
        [mnum(x + y), mnum(x - y), mnum(y - x)],
        difficulty=-0.2,
        numeric=value,
    )


fixed("circle_terms")


@register("垂径定理")
def _chord_distance(rng: np.random.Generator) -> Draft:
    a, b, c = pick(rng, TRIPLES)
    if rng.random() < 0.5:
        question = (
            f"$\\odot O$ 的半径为 ${c}$，弦 $AB$ 的长为 ${2 * b}$，则圆心 $O$ 到弦 $AB$ 的距离是"
        )
        return value_draft(
            rng, question, mnum(a), [mnum(c - b), mnum(2 * a), mnum(a + 1)], difficulty=0.0
        )
    question = f"$\\odot O$ 的半径为 ${c}$，圆心 $O$ 到弦 $AB$ 的距离为 ${a}$，则弦 $AB$ 的长是"
    return value_draft(
        rng, question, mnum(2 * b), [mnum(b), mnum(2 * c), mnum(b + a)], difficulty=0.0
    )


@register("垂径定理")
def _arch_bridge(rng: np.random.Generator) -> Draft:
    half, height = pick(rng, ((12, 8), (8, 4), (6, 2), (10, 5), (15, 5), (20, 8)))
    radius = Fraction(half * half + height * height, 2 * height)
    stem = (
        f"一座圆弧形拱桥的跨度（弦长）为 ${2 * half}$ m，拱高为 ${height}$ m，求这座拱桥所在圆"
        "的半径。"
    )
    steps = (
        Step(
            "设圆心为 $O$，半径为 $R$ m，过 $O$ 作弦 $AB$ 的垂线，垂足为 $D$，交弧于点 $C$。",
            "作出辅助线，设半径",
            1,
        ),
        Step(
            f"由垂径定理得 $AD=\\frac{{1}}{{2}}AB={half}$，$OD=R-{height}$。",
            "运用垂径定理表示线段",
            2,
        ),
        Step(
            f"在 $\\mathrm{{Rt}}\\triangle AOD$ 中，$R^{{2}}={half}^{{2}}+(R-{height})^{{2}}$，",
            "运用勾股定理列方程",
            2,
        ),
        Step(
            f"解得 $R={num(radius)}$。答：拱桥所在圆的半径为 ${num(radius)}$ m。", "解方程并作答", 2
        ),
    )
    return SolutionDraft(stem, steps, difficulty=0.6, extra_kps=("勾股定理",))


@register("弧、弦、圆心角的关系")
def _equal_arcs(rng: np.random.Generator) -> Draft:
    angle = randint(rng, 3, 14) * 10
    question = (
        f"在 $\\odot O$ 中，$\\overset{{\\frown}}{{AB}}=\\overset{{\\frown}}{{CD}}$，$\\an"
        f"gle AOB={angle}^{{\\circ}}$，则 $\\angle COD$ 的度数是"
    )
    return value_draft(
        rng,
        question,
        degrees(angle),
        [degrees(180 - angle), degrees(angle // 2), degrees(2 * angle)],
        difficulty=-0.7,
    )


@register("圆周角定理")
def _inscribed_angle(rng: np.random.Generator) -> Draft:
    angle = randint(rng, 2, 16) * 10
    if rng.random() < 0.5:
        question = (
            f"点 $A$、$B$、$C$ 在 $\\odot O$ 上，$\\angle AOB={angle}^{{\\circ}}$，点 $C$ "
            "在优弧 $AB$ 上，则 $\\angle ACB$ 的度数是"
        )
        wrong = [degrees(angle), degrees(2 * angle), degrees(180 - angle // 2)]
        return value_draft(rng, question, degrees(angle // 2), wrong, difficulty=-0.2)
    question = (
        "$AB$ 是 $\\odot O$ 的直径，点 $C$ 在 $\\odot O$ 上（不与 $A$、$B$ 重合），则 $\\a"
        "ngle ACB$ 的度数是"
    )
    return value_draft(
        rng, question, degrees(90), [degrees(45), degrees(60), degrees(180)], difficulty=-0.8
    )


@register("点和圆的位置关系")
def _point_circle(rng: np.random.Generator) -> Draft:
    r, d = randint(rng, 3, 9), randint(rng, 1, 12)
    relation = (
        "点 $P$ 在 $\\odot O$ 内"
        if d < r
        else ("点 $P$ 在 $\\odot O$ 上" if d == r else "点 $P$ 在 $\\odot O$ 外")
    )
    options = [
        "点 $P$ 在 $\\odot O$ 内",
        "点 $P$ 在 $\\odot O$ 上",
        "点 $P$ 在 $\\odot O$ 外",
        "无法确定",
    ]
    question = (
        f"$\\odot O$ 的半径为 ${r}$ cm，点 $P$ 到圆心 $O$ 的距离为 ${d}$ cm，则点 $P$ 与 $"
        "\\odot O$ 的位置关系是"
    )
    return value_draft(
        rng, question, relation, [o for o in options if o != relation], difficulty=-1.0
    )


@register("直线和圆的位置关系")
def _line_circle(rng: np.random.Generator) -> Draft:
    r, d = randint(rng, 3, 9), randint(rng, 1, 12)
    relation = "相交" if d < r else ("相切" if d == r else "相离")
    question = (
        f"$\\odot O$ 的半径为 ${r}$，圆心 $O$ 到直线 $l$ 的距离为 ${d}$，则直线 $l$ 与 $\\"
        "odot O$ 的位置关系是"
    )
    return value_draft(
        rng,
        question,
        relation,
        [o for o in ("相交", "相切", "相离", "无法确定") if o != relation],
        difficulty=-0.8,
    )


@register("切线的判定和性质")
def _tangent_length(rng: np.random.Generator) -> Draft:
    a, b, c = pick(rng, TRIPLES)
    question = (
        f"$PA$ 切 $\\odot O$ 于点 $A$，$\\odot O$ 的半径为 ${a}$，$OP={c}$，则切线长 $PA$ 的长是"
    )
    return value_draft(
        rng,
        question,
        mnum(b),
        [mnum(c - a), f"$\\sqrt{{{a * a + c * c}}}$", mnum(b + 1)],
        difficulty=-0.2,
        extra_kps=("勾股定理",),
    )


@register("切线的判定和性质")
def _tangent_proof(rng: np.random.Generator) -> Draft:
    angle = pick(rng, (30, 45, 60))
    stem = (
        "已知：$AB$ 是 $\\odot O$ 的直径，点 $C$ 在 $\\odot O$ 上，"
        f"$\\angle CAB={angle}^{{\\circ}}$，"
        "点 $D$ 在 $AB$ 的延长线上，且 $\\angle DCB=\\angle CAB$。求证：$CD$ 是 $\\odot O$ 的切线"
        "。"
    )
    steps = (
        Step(
            "连接 $OC$。$\\because OA=OC$，$\\therefore \\angle OCA=\\angle CAB$。",
            "连接半径，由等腰三角形得等角",
            2,
        ),
        Step(
            "$\\because AB$ 是直径，$\\therefore \\angle ACB=90^{\\circ}$，即 $\\angle OCA+\\angle"
            " OCB=90^{\\circ}$。",
            "由直径所对圆周角为直角",
            2,
        ),
        Step(
            "$\\because \\angle DCB=\\angle CAB=\\angle OCA$，$\\therefore \\angle DCB+\\angle OCB"
            "=90^{\\circ}$，即 $\\angle OCD=90^{\\circ}$。",
            "推出 $OC\\perp CD$",
            2,
        ),
        Step(
            "又 $OC$ 是半径，$\\therefore CD$ 是 $\\odot O$ 的切线。", "由切线的判定定理得结论", 2
        ),
    )
    return SolutionDraft(stem, steps, difficulty=0.8, extra_kps=("圆周角定理",))


@register("切线长定理与三角形的内切圆")
def _incircle_radius(rng: np.random.Generator) -> Draft:
    a, b, c = pick(rng, TRIPLES)
    question = f"直角三角形的两条直角边长分别为 ${a}$ 和 ${b}$，则它的内切圆的半径是"
    r = Fraction(a + b - c, 2)
    return value_draft(
        rng,
        question,
        mnum(r),
        [mnum(Fraction(c, 2)), mnum(Fraction(a * b, a + b + c) * 2), mnum(r + 1)],
        difficulty=0.4,
    )


@register("正多边形的有关概念")
def _central_angle(rng: np.random.Generator) -> Draft:
    n = pick(rng, (3, 4, 5, 6, 8, 9, 10, 12))
    question = f"正 ${n}$ 边形的中心角的度数是"
    wrong = [degrees(Fraction(180, n)), degrees((n - 2) * 180 // n), degrees(360 // n + 30)]
    return value_draft(rng, question, degrees(360 // n), wrong, difficulty=-0.4)


@register("正多边形的有关计算")
def _hexagon(rng: np.random.Generator) -> Draft:
    r = randint(rng, 2, 10)
    if rng.random() < 0.5:
        question = f"半径为 ${r}$ 的圆的内接正六边形的边长是"
        return value_draft(
            rng,
            question,
            mnum(r),
            [mnum(2 * r), f"${r}\\sqrt{{3}}$", mnum(Fraction(r, 2))],
            difficulty=-0.3,
        )
    question = f"半径为 ${r}$ 的圆的内接正方形的边长是"
    return value_draft(
        rng,
        question,
        f"${r}\\sqrt{{2}}$",
        [mnum(r), mnum(2 * r), f"${r}\\sqrt{{3}}$"],
        difficulty=0.0,
    )


@register("弧长和扇形面积")
def _arc_length(rng: np.random.Generator) -> Draft:
    n, r = pick(rng, (30, 45, 60, 90, 120, 135, 150)), randint(rng, 2, 12)
    if rng.random() < 0.5:
        value = Fraction(n * r, 180)
        question = f"半径为 ${r}$ cm、圆心角为 ${n}^{{\\circ}}$ 的扇形的弧长是"
        wrong = [Fraction(n * r * r, 360), Fraction(n * r, 360), Fraction(n * r, 90)]
    else:
        value = Fraction(n * r * r, 360)
        question = f"半径为 ${r}$ cm、圆心角为 ${n}^{{\\circ}}$ 的扇形的面积是"
        wrong = [Fraction(n * r, 180), Fraction(n * r * r, 180), Fraction(n * r * r, 720)]
    unit = " cm" if "弧长" in question else " cm²"

    def fmt(v: Fraction) -> str:
        return f"${num(v)}\\pi${unit}" if v != 1 else f"$\\pi${unit}"

    return value_draft(rng, question, fmt(value), [fmt(w) for w in wrong], difficulty=0.0)


@register("圆锥的侧面积和全面积")
def _cone(rng: np.random.Generator) -> Draft:
    r, h, slant = pick(rng, TRIPLES)
    question = f"圆锥的底面半径为 ${r}$ cm，母线长为 ${slant}$ cm，则它的侧面积是"
    wrong = [f"${2 * r * slant}\\pi$ cm²", f"${r * h}\\pi$ cm²", f"${r * slant + r * r}\\pi$ cm²"]
    return value_draft(rng, question, f"${r * slant}\\pi$ cm²", wrong, difficulty=0.1)
