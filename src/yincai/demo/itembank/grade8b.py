"""Templates for 八下 第十六章 二次根式, 第十七章 勾股定理, 第十八章 平行四边形."""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from yincai.demo.itembank.drafts import (
    Draft,
    Registry,
    SolutionDraft,
    StatementDraft,
    Step,
    fixed_registrar,
    mdec,
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

SQUARE_FREE = (2, 3, 5, 6, 7)
TRIPLES = ((3, 4, 5), (5, 12, 13), (6, 8, 10), (8, 15, 17), (9, 12, 15), (7, 24, 25), (12, 16, 20))


def surd(k: int, n: int) -> str:
    """``k√n`` in LaTeX (no dollars)."""
    if k == 0:
        return "0"
    coefficient = "" if k == 1 else ("-" if k == -1 else str(k))
    return f"{coefficient}\\sqrt{{{n}}}"


@register("二次根式的概念与有意义的条件")
def _radical_defined(rng: np.random.Generator) -> Draft:
    a, k = randint(rng, -6, 6, nonzero=True), randint(rng, 1, 3)
    sign = "-" if a < 0 else "+"
    inner = f"{k if k > 1 else ''}x{sign}{abs(a)}"
    bound = Fraction(-a, k)
    question = f"若二次根式 $\\sqrt{{{inner}}}$ 有意义，则 $x$ 的取值范围是"
    wrong = [
        f"$x>{mdec(bound)[1:-1]}$",
        f"$x\\leq {mdec(bound)[1:-1]}$",
        f"$x\\geq {mdec(-bound)[1:-1]}$",
    ]
    return value_draft(rng, question, f"$x\\geq {mdec(bound)[1:-1]}$", wrong, difficulty=-0.4)


@register("二次根式的性质")
def _sqrt_square(rng: np.random.Generator) -> Draft:
    a = randint(rng, 2, 9)
    if rng.random() < 0.5:
        question = f"化简 $\\sqrt{{(-{a})^{{2}}}}$ 的结果是"
        return value_draft(
            rng, question, mnum(a), [mnum(-a), f"$\\pm{a}$", mnum(a * a)], difficulty=-0.6
        )
    question = f"若 $2<x<{a + 2}$，化简 $\\sqrt{{(x-2)^{{2}}}}+|x-{a + 2}|$ 的结果是"
    wrong = [f"$2x-{a + 4}$", f"${a + 4}-2x$", mnum(-a)]
    return value_draft(rng, question, mnum(a), wrong, difficulty=0.5)


@register("二次根式的乘除法")
def _radical_product(rng: np.random.Generator) -> Draft:
    n = pick(rng, SQUARE_FREE)
    k = randint(rng, 2, 4)
    if rng.random() < 0.5:
        question = f"计算 $\\sqrt{{{n}}}\\times\\sqrt{{{n * k * k}}}$ 的结果是"
        value = n * k
        wrong = [mnum(n * n * k * k), f"${surd(value, n)}$", mnum(k * k)]
        return value_draft(rng, question, mnum(value), wrong, difficulty=-0.4, numeric=value)
    question = f"计算 $\\sqrt{{{n * k * k * 2}}}\\div\\sqrt{{2}}$ 的结果是"
    answer = f"${surd(k, n)}$"
    wrong = [f"${surd(k * k, n)}$", f"$\\sqrt{{{n * k}}}$", f"${surd(2 * k, n)}$"]
    return value_draft(rng, question, answer, wrong, difficulty=-0.3)


@register("最简二次根式")
def _simplest_radical(rng: np.random.Generator) -> Draft:
    n, k = pick(rng, SQUARE_FREE), randint(rng, 2, 5)
    question = f"把 $\\sqrt{{{n * k * k}}}$ 化成最简二次根式，结果是"
    wrong = [f"${surd(k * k, n)}$", f"${surd(n, k)}$", f"$\\sqrt{{{n}}}$"]
    return value_draft(rng, question, f"${surd(k, n)}$", wrong, difficulty=-0.5)


@register("最简二次根式")
def _which_simplest(rng: np.random.Generator) -> Draft:
    n = pick(rng, SQUARE_FREE)
    return StatementDraft(
        "下列二次根式中",
        (f"$\\sqrt{{{n}}}$", "$\\sqrt{a^{2}+1}$", "$\\sqrt{15}$"),
        ("$\\sqrt{8}$", "$\\sqrt{\\frac{1}{2}}$", "$\\sqrt{0.5}$", "$\\sqrt{12}$", "$\\sqrt{4a}$"),
        ask_true="是最简二次根式的是",
        ask_false="不是最简二次根式的是",
        claim="是最简二次根式",
        difficulty=-0.2,
    )


@register("二次根式的加减")
def _radical_sum(rng: np.random.Generator) -> Draft:
    n = pick(rng, (2, 3, 5))
    p, q = sample(rng, [2, 3, 4], 2)
    question = f"计算 $\\sqrt{{{n * p * p}}}+\\sqrt{{{n * q * q}}}$ 的结果是"
    wrong = [f"$\\sqrt{{{n * (p * p + q * q)}}}$", f"${surd(p * q, n)}$", f"${surd(p + q, 2 * n)}$"]
    return value_draft(rng, question, f"${surd(p + q, n)}$", wrong, difficulty=-0.1)


@register("二次根式的混合运算")
def _radical_mixed(rng: np.random.Generator) -> Draft:
    n, a = pick(rng, (2, 3, 5, 6, 7)), randint(rng, 1, 3)
    while a * a == n:
        a += 1
    if rng.random() < 0.5:
        question = f"计算 $(\\sqrt{{{n}}}+{a})(\\sqrt{{{n}}}-{a})$ 的结果是"
        value = n - a * a
        return value_draft(
            rng,
            question,
            mnum(value),
            [mnum(n + a * a), mnum(n - a), mnum(a * a - n)],
            difficulty=-0.2,
            numeric=value,
        )
    stem = f"计算：$(\\sqrt{{{n}}}+{a})^{{2}}-\\sqrt{{{4 * n}}}\\times{a}$。"
    steps = (
        Step(
            f"原式 $={n}+{2 * a}\\sqrt{{{n}}}+{a * a}-{2 * a}\\sqrt{{{n}}}$",
            "完全平方公式展开、化简 $\\sqrt{" + str(4 * n) + "}$",
            4,
        ),
        Step(f"$={n + a * a}$", "合并得出结果", 2),
    )
    return SolutionDraft(stem, steps, difficulty=0.3, extra_kps=("完全平方公式",))


@register("勾股定理")
def _hypotenuse(rng: np.random.Generator) -> Draft:
    a, b, c = pick(rng, TRIPLES)
    if rng.random() < 0.5:
        question = (
            f"在 $\\mathrm{{Rt}}\\triangle ABC$ 中，$\\angle C=90^{{\\circ}}$，$AC={a}$，$"
            f"BC={b}$，则 $AB$ 的长是"
        )
        wrong = [mnum(a + b), f"$\\sqrt{{{b * b - a * a}}}$", mnum(c + 1)]
        return value_draft(rng, question, mnum(c), wrong, difficulty=-0.6)
    question = (
        f"在 $\\mathrm{{Rt}}\\triangle ABC$ 中，$\\angle C=90^{{\\circ}}$，$AB={c}$，$AC="
        f"{a}$，则 $BC$ 的长是"
    )
    wrong = [f"$\\sqrt{{{a * a + c * c}}}$", mnum(c - a), mnum(b + 1)]
    return value_draft(rng, question, mnum(b), wrong, difficulty=-0.4)


@register("勾股定理")
def _two_cases(rng: np.random.Generator) -> Draft:
    a, b, c = pick(rng, ((3, 4, 5), (6, 8, 10), (5, 12, 13)))
    question = f"已知直角三角形的两边长分别为 ${a}$ 和 ${b}$，则第三边的长是"
    other = b * b - a * a
    answer = f"${c}$ 或 $\\sqrt{{{other}}}$"
    wrong = [mnum(c), f"$\\sqrt{{{other}}}$", mnum(a + b)]
    return value_draft(rng, question, answer, wrong, difficulty=0.7)


@register("勾股定理的应用")
def _ladder(rng: np.random.Generator) -> Draft:
    a, b, c = pick(rng, TRIPLES)
    if rng.random() < 0.5:
        question = (
            f"一架长 ${c}$ 米的梯子斜靠在竖直的墙上，梯子底端离墙 ${a}$ 米，则梯子顶端离地"
            "面的高度是"
        )
        return value_draft(
            rng,
            question,
            f"${b}$ 米",
            [f"${c - a}$ 米", f"${c + a}$ 米", f"${b + 1}$ 米"],
            difficulty=-0.3,
        )
    total = b + c
    # x² + a² = (total − x)²  ⇒  x = (total² − a²) / (2·total)
    x = Fraction(total * total - a * a, 2 * total)
    stem = (
        f"《九章算术》中有一道“折竹”问题：一根竹子高 ${total}$ 尺，折断后竹子顶端落在离竹子底端 $"
        f"{a}$ 尺处，"
        "折断处离地面的高度是多少尺？"
    )
    steps = (
        Step(
            "设折断处离地面的高度为 $x$ 尺，则斜边长为 " + f"$({total}-x)$ 尺。",
            "设未知数并表示斜边",
            1,
        ),
        Step(f"由勾股定理，得 $x^{{2}}+{a}^{{2}}=({total}-x)^{{2}}$", "正确运用勾股定理列方程", 3),
        Step(f"解得 $x={mdec(x)[1:-1]}$", "正确解方程", 2),
        Step(f"答：折断处离地面的高度是 ${mdec(x)[1:-1]}$ 尺。", "作答", 1),
    )
    return SolutionDraft(stem, steps, difficulty=0.7)


@register("勾股定理的逆定理")
def _is_right(rng: np.random.Generator) -> Draft:
    good = [f"${a * k}$，${b * k}$，${c * k}$" for a, b, c in TRIPLES[:4] for k in (1,)]
    return StatementDraft(
        "以下列各组数为边长的三角形中",
        (*sample(rng, good, 3), "$1$，$\\sqrt{2}$，$\\sqrt{3}$"),
        ("$4$，$5$，$6$", "$2$，$3$，$4$", "$6$，$7$，$8$", "$1$，$2$，$\\sqrt{3}+1$"),
        ask_true="能构成直角三角形的是",
        ask_false="不能构成直角三角形的是",
        claim="，以它们为边能构成直角三角形",
        difficulty=-0.3,
    )


@register("勾股数")
def _pythagorean_triple(rng: np.random.Generator) -> Draft:
    a, b, c = pick(rng, TRIPLES)
    question = f"若 ${a}$，${b}$，$m$ 是一组勾股数，且 $m$ 为最大的数，则 $m$ 的值是"
    return value_draft(
        rng,
        question,
        mnum(c),
        [mnum(c + 1), f"$\\sqrt{{{b * b - a * a}}}$", mnum(a + b)],
        difficulty=-0.4,
    )


@register("平行四边形的性质")
def _parallelogram_angles(rng: np.random.Generator) -> Draft:
    a = randint(rng, 40, 80)
    if rng.random() < 0.5:
        question = (
            f"在 $\\square ABCD$ 中，$\\angle A+\\angle C={2 * a}^{{\\circ}}$，则 $\\angle"
            " B$ 的度数是"
        )
        wrong = [f"${a}^{{\\circ}}$", f"${2 * a}^{{\\circ}}$", f"${360 - 2 * a}^{{\\circ}}$"]
        return value_draft(rng, question, f"${180 - a}^{{\\circ}}$", wrong, difficulty=-0.2)
    ab, bc = randint(rng, 3, 8), randint(rng, 4, 12)
    question = f"在 $\\square ABCD$ 中，$AB={ab}$ cm，$BC={bc}$ cm，则 $\\square ABCD$ 的周长是"
    return value_draft(
        rng,
        question,
        f"${2 * (ab + bc)}$ cm",
        [f"${ab + bc}$ cm", f"${ab * bc}$ cm", f"${4 * bc}$ cm"],
        difficulty=-0.8,
    )


fixed("parallelogram_tests")


fixed("parallelogram_proof")


@register("三角形的中位线")
def _midline(rng: np.random.Generator) -> Draft:
    a, b, c = randint(rng, 4, 12), randint(rng, 4, 12), randint(rng, 4, 12)
    while not (a + b > c and a + c > b and b + c > a):
        c = randint(rng, 4, 12)
    if rng.random() < 0.5:
        question = (
            f"$\\triangle ABC$ 的三边长分别为 ${a}$，${b}$，${c}$，顺次连接三边中点所得三"
            "角形的周长是"
        )
        value = Fraction(a + b + c, 2)
        wrong = [mdec(a + b + c), mdec(Fraction(a + b + c, 4)), mdec(2 * (a + b + c))]
        return value_draft(rng, question, mdec(value), wrong, difficulty=-0.3)
    question = (
        f"在 $\\triangle ABC$ 中，$D$、$E$ 分别是 $AB$、$AC$ 的中点，若 $BC={2 * a}$，则 $"
        "DE$ 的长是"
    )
    return value_draft(
        rng, question, mnum(a), [mnum(2 * a), mnum(4 * a), mnum(a + 1)], difficulty=-0.8
    )


@register("矩形的性质与判定")
def _rectangle_diagonal(rng: np.random.Generator) -> Draft:
    a, b, c = pick(rng, TRIPLES)
    question = f"矩形 $ABCD$ 的对角线 $AC$、$BD$ 相交于点 $O$，$AB={a}$，$BC={b}$，则 $OB$ 的长是"
    return value_draft(
        rng,
        question,
        mdec(Fraction(c, 2)),
        [mdec(c), mdec(Fraction(a + b, 2)), mdec(Fraction(b, 2))],
        difficulty=-0.2,
        extra_kps=("勾股定理",),
    )


fixed("rectangle_tests")


@register("菱形的性质与判定")
def _rhombus(rng: np.random.Generator) -> Draft:
    a, b, c = pick(rng, TRIPLES)
    if rng.random() < 0.5:
        question = f"菱形的两条对角线长分别为 ${2 * a}$ 和 ${2 * b}$，则菱形的边长是"
        return value_draft(
            rng, question, mnum(c), [mnum(2 * c), mnum(a + b), mnum(c + 1)], difficulty=0.0
        )
    question = f"菱形的两条对角线长分别为 ${2 * a}$ 和 ${2 * b}$，则菱形的面积是"
    value = 2 * a * b
    return value_draft(
        rng, question, mnum(value), [mnum(4 * a * b), mnum(a * b), mnum(4 * c)], difficulty=-0.3
    )


fixed("square")


@register("正方形的性质与判定")
def _square_diagonal(rng: np.random.Generator) -> Draft:
    a = randint(rng, 2, 9)
    question = f"正方形的边长为 ${a}$，则它的对角线长是"
    return value_draft(
        rng,
        question,
        f"${surd(a, 2)}$",
        [mnum(2 * a), f"${surd(a, 3)}$", f"$\\sqrt{{{a}}}$"],
        difficulty=-0.3,
    )
