"""Templates for 八上 第十四章 整式的乘法与因式分解, 第十五章 分式."""

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
    math,
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


def power(base: str, exponent: int) -> str:
    return base if exponent == 1 else f"{base}^{{{exponent}}}"


@register("同底数幂的乘法")
def _same_base_product(rng: np.random.Generator) -> Draft:
    m, n = randint(rng, 2, 6), randint(rng, 2, 6)
    question = f"计算 ${power('a', m)}\\cdot {power('a', n)}$ 的结果是"
    wrong = [math(power("a", m * n)), math(f"2{power('a', m + n)}"), math(power("a", m + n + 1))]
    return value_draft(rng, question, math(power("a", m + n)), wrong, difficulty=-1.0)


@register("同底数幂的乘法")
def _exponent_sum(rng: np.random.Generator) -> Draft:
    m, n = randint(rng, 2, 5), randint(rng, 2, 5)
    question = f"若 $a^{{m}}={m}$，$a^{{n}}={n}$，则 $a^{{m+n}}$ 的值是"
    return value_draft(
        rng, question, mnum(m * n), [mnum(m + n), mnum(m**n)], difficulty=0.2, numeric=m * n
    )


@register("幂的乘方与积的乘方")
def _power_of_power(rng: np.random.Generator) -> Draft:
    k, m, n = randint(rng, 2, 3), randint(rng, 1, 3), randint(rng, 2, 4)
    question = f"计算 $(-{k}{power('a', m)}b)^{{{n}}}$ 的结果是"
    sign = "-" if n % 2 else ""
    answer = math(f"{sign}{k**n}{power('a', m * n)}{power('b', n)}")
    wrong = [
        math(f"{'' if sign else '-'}{k**n}{power('a', m * n)}{power('b', n)}"),
        math(f"{sign}{k * n}{power('a', m * n)}{power('b', n)}"),
        math(f"{sign}{k**n}{power('a', m + n)}{power('b', n)}"),
    ]
    return value_draft(rng, question, answer, wrong, difficulty=-0.2)


@register("幂的乘方与积的乘方")
def _power_statements(rng: np.random.Generator) -> Draft:
    m, n = sample(rng, [2, 3, 4], 2)  # distinct, so m + n ≠ m·n and the false forms stay false
    return StatementDraft(
        "下列运算中",
        (
            f"$(a^{{{m}}})^{{{n}}}=a^{{{m * n}}}$",
            f"$(ab)^{{{n}}}=a^{{{n}}}b^{{{n}}}$",
            f"$a^{{{m}}}\\cdot a^{{{n}}}=a^{{{m + n}}}$",
        ),
        (
            f"$(a^{{{m}}})^{{{n}}}=a^{{{m + n}}}$",
            f"$a^{{{m}}}+a^{{{m}}}=a^{{{2 * m}}}$",
            f"$(2a)^{{{n}}}=2a^{{{n}}}$",
            f"$a^{{{m}}}\\cdot a^{{{n}}}=a^{{{m * n}}}$",
        ),
        difficulty=-0.4,
    )


@register("整式的乘法")
def _binomial_product(rng: np.random.Generator) -> Draft:
    a, b = randint(rng, -6, 6, nonzero=True), randint(rng, -6, 6, nonzero=True)
    question = f"计算 $({poly([(1, 'x'), (a, '')])})({poly([(1, 'x'), (b, '')])})$ 的结果是"
    answer = math(poly([(1, "x^{2}"), (a + b, "x"), (a * b, "")]))
    wrong = [
        math(poly([(1, "x^{2}"), (a * b, "")])),
        math(poly([(1, "x^{2}"), (a * b, "x"), (a + b, "")])),
        math(poly([(1, "x^{2}"), (-(a + b), "x"), (a * b, "")])),
    ]
    return value_draft(rng, question, answer, wrong, difficulty=-0.2)


@register("整式的乘法")
def _no_linear_term(rng: np.random.Generator) -> Draft:
    b = randint(rng, -6, 6, nonzero=True)
    question = f"若 $(x+m)({poly([(1, 'x'), (b, '')])})$ 的展开式中不含 $x$ 的一次项，则 $m$ 的值是"
    return value_draft(rng, question, mnum(-b), [mnum(b), mnum(0)], difficulty=0.4, numeric=-b)


@register("同底数幂的除法")
def _same_base_quotient(rng: np.random.Generator) -> Draft:
    m, n = randint(rng, 6, 10), randint(rng, 2, 5)
    question = f"计算 $a^{{{m}}}\\div a^{{{n}}}$ 的结果是"
    wrong = [
        math(power("a", m + n)),
        math(power("a", m // n)) if m % n == 0 else math(power("a", m * n)),
        math(power("a", m - n - 1)),
    ]
    return value_draft(rng, question, math(power("a", m - n)), wrong, difficulty=-0.8)


@register("同底数幂的除法")
def _exponent_difference(rng: np.random.Generator) -> Draft:
    n = randint(rng, 2, 4)
    m = n * randint(rng, 2, 6)
    question = f"若 $a^{{x}}={m}$，$a^{{y}}={n}$，则 $a^{{x-y}}$ 的值是"
    return value_draft(
        rng, question, mnum(m // n), [mnum(m - n), mnum(m * n)], difficulty=0.2, numeric=m // n
    )


@register("平方差公式")
def _difference_of_squares(rng: np.random.Generator) -> Draft:
    k, b = randint(rng, 1, 4), randint(rng, 1, 9)
    x = poly([(k, "x")])
    question = f"计算 $({x}+{b})({x}-{b})$ 的结果是"
    answer = math(poly([(k * k, "x^{2}"), (-b * b, "")]))
    wrong = [
        math(poly([(k * k, "x^{2}"), (b * b, "")])),
        math(poly([(k, "x^{2}"), (-b * b, "")])),
        math(poly([(k * k, "x^{2}"), (-2 * k * b, "x"), (-b * b, "")])),
    ]
    return value_draft(rng, question, answer, wrong, difficulty=-0.6)


@register("平方差公式")
def _quick_product(rng: np.random.Generator) -> Draft:
    center, d = pick(rng, (20, 30, 40, 50, 100)), randint(rng, 1, 3)
    question = f"利用平方差公式计算 ${center + d}\\times{center - d}$ 的结果是"
    value = center * center - d * d
    return value_draft(
        rng,
        question,
        mnum(value),
        [mnum(value + 2 * d * d), mnum(center * center)],
        difficulty=-0.3,
        numeric=value,
    )


@register("完全平方公式")
def _perfect_square(rng: np.random.Generator) -> Draft:
    k, b = randint(rng, 1, 3), randint(rng, -6, 6, nonzero=True)
    question = f"计算 $({poly([(k, 'x'), (b, '')])})^{{2}}$ 的结果是"
    answer = math(poly([(k * k, "x^{2}"), (2 * k * b, "x"), (b * b, "")]))
    wrong = [
        math(poly([(k * k, "x^{2}"), (b * b, "")])),
        math(poly([(k * k, "x^{2}"), (k * b, "x"), (b * b, "")])),
        math(poly([(k * k, "x^{2}"), (-2 * k * b, "x"), (b * b, "")])),
    ]
    return value_draft(rng, question, answer, wrong, difficulty=-0.3)


@register("完全平方公式")
def _square_identity(rng: np.random.Generator) -> Draft:
    s, p = randint(rng, 3, 9), randint(rng, 1, 6)
    question = f"已知 $a+b={s}$，$ab={p}$，则 $a^{{2}}+b^{{2}}$ 的值是"
    value = s * s - 2 * p
    return value_draft(
        rng,
        question,
        mnum(value),
        [mnum(s * s), mnum(s * s - p), mnum(s * s + 2 * p)],
        difficulty=0.3,
        numeric=value,
    )


@register("提公因式法")
def _common_factor(rng: np.random.Generator) -> Draft:
    k, a, b = randint(rng, 2, 5), randint(rng, 1, 5), randint(rng, 1, 7)
    expression = poly([(k * a, "x^{2}y"), (-k * b, "xy^{2}")])
    inner = poly([(a, "x"), (-b, "y")])
    question = f"把 ${expression}$ 分解因式，结果是"
    wrong = [
        math(f"{k}x({inner})"),
        math(f"{k}xy({poly([(a, 'x'), (b, 'y')])})"),
        math(f"{k}xy({poly([(a, 'x'), (-b, '')])})"),
    ]
    return value_draft(rng, question, math(f"{k}xy({inner})"), wrong, difficulty=-0.4)


@register("公式法")
def _formula_factor(rng: np.random.Generator) -> Draft:
    k, b = randint(rng, 1, 4), randint(rng, 1, 7)
    x = poly([(k, "x")])
    if rng.random() < 0.5:
        question = f"把 ${poly([(k * k, 'x^{2}'), (-b * b, '')])}$ 分解因式，结果是"
        wrong = [math(f"({x}-{b})^{{2}}"), math(f"({x}+{b})^{{2}}"), math(f"{x}({x}-{b})")]
        return value_draft(rng, question, math(f"({x}+{b})({x}-{b})"), wrong, difficulty=-0.3)
    question = f"把 ${poly([(k * k, 'x^{2}'), (-2 * k * b, 'x'), (b * b, '')])}$ 分解因式，结果是"
    wrong = [math(f"({x}+{b})^{{2}}"), math(f"({x}+{b})({x}-{b})"), math(f"({x}-{b * b})^{{2}}")]
    return value_draft(rng, question, math(f"({x}-{b})^{{2}}"), wrong, difficulty=-0.1)


@register("公式法")
def _factor_fully(rng: np.random.Generator) -> Draft:
    a, b = randint(rng, 2, 5), randint(rng, 1, 6)
    expression = poly([(a, "x^{3}"), (-a * b * b, "x")])
    stem = f"分解因式：${expression}$。"
    steps = (
        Step(f"原式 $={a}x(x^{{2}}-{b * b})$", "先提取公因式", 3),
        Step(f"$={a}x(x+{b})(x-{b})$", "再用平方差公式分解彻底", 3),
    )
    return SolutionDraft(stem, steps, difficulty=0.3, extra_kps=("提公因式法",))


@register("分式的概念与有意义的条件")
def _fraction_defined(rng: np.random.Generator) -> Draft:
    a = randint(rng, -6, 6, nonzero=True)
    question = f"要使分式 $\\frac{{x+1}}{{{poly([(1, 'x'), (-a, '')])}}}$ 有意义，$x$ 的取值应满足"
    wrong = [f"$x={a}$", f"$x\\neq {-a}$", f"$x>{a}$"]
    return value_draft(rng, question, f"$x\\neq {a}$", wrong, difficulty=-0.6)


@register("分式的概念与有意义的条件")
def _fraction_zero(rng: np.random.Generator) -> Draft:
    a = randint(rng, 1, 6)
    question = f"若分式 $\\frac{{x^{{2}}-{a * a}}}{{x+{a}}}$ 的值为 $0$，则 $x$ 的值是"
    wrong = [mnum(-a), f"$\\pm{a}$", mnum(0)]
    return value_draft(rng, question, mnum(a), wrong, difficulty=0.5)


@register("分式的基本性质")
def _reduce(rng: np.random.Generator) -> Draft:
    a = randint(rng, 1, 6)
    question = f"约分 $\\frac{{x^{{2}}-{a * a}}}{{x^{{2}}+{2 * a}x+{a * a}}}$ 的结果是"
    answer = f"$\\frac{{x-{a}}}{{x+{a}}}$"
    wrong = [f"$\\frac{{x+{a}}}{{x-{a}}}$", f"$-\\frac{{{a * a}}}{{{2 * a}x+{a * a}}}$", "$1$"]
    return value_draft(rng, question, answer, wrong, difficulty=0.0)


@register("分式的乘除")
def _fraction_division(rng: np.random.Generator) -> Draft:
    a, k = randint(rng, 1, 6), randint(rng, 2, 5)
    question = f"计算 $\\frac{{x^{{2}}-{a * a}}}{{{k}x}}\\div\\frac{{x+{a}}}{{x}}$ 的结果是"
    answer = f"$\\frac{{x-{a}}}{{{k}}}$"
    wrong = [
        f"$\\frac{{x+{a}}}{{{k}}}$",
        f"$\\frac{{x-{a}}}{{{k}x}}$",
        f"$\\frac{{(x-{a})(x+{a})^{{2}}}}{{{k}x^{{2}}}}$",
    ]
    return value_draft(rng, question, answer, wrong, difficulty=0.2)


@register("分式的加减")
def _fraction_sum(rng: np.random.Generator) -> Draft:
    a = randint(rng, 1, 6)
    question = f"计算 $\\frac{{x^{{2}}}}{{x-{a}}}-\\frac{{{a * a}}}{{x-{a}}}$ 的结果是"
    wrong = [f"$x-{a}$", "$1$", f"$\\frac{{x^{{2}}-{a * a}}}{{x-{a}}}$"]
    return value_draft(rng, question, f"$x+{a}$", wrong, difficulty=-0.1)


@register("分式的加减")
def _simplify_then_evaluate(rng: np.random.Generator) -> Draft:
    a = randint(rng, 1, 4)
    x = pick(rng, [v for v in range(-4, 6) if v not in (a, -a, 0)])
    stem = (
        f"先化简，再求值：$(1-\\frac{{{a}}}{{x+{a}}})\\div\\frac{{x^{{2}}-{a * a}}}{{x+{a}}}$"
        f"，其中 $x={x}$。"
    )
    value = Fraction(x, (x - a) * (x + a)) * (x + a)
    steps = (
        Step(
            f"原式 $=\\frac{{x}}{{x+{a}}}\\cdot\\frac{{x+{a}}}{{(x+{a})(x-{a})}}$",
            "括号内通分、除法化乘法、分母因式分解",
            3,
        ),
        Step(
            f"$=\\frac{{x}}{{x+{a}}}\\cdot\\frac{{1}}{{x-{a}}}\\cdot(x+{a})=\\frac{{x}}{{x-{a}}}$",
            "约分得最简结果",
            2,
        ),
        Step(f"当 $x={x}$ 时，原式 $={num(value)}$", "代入求值正确", 2),
    )
    return SolutionDraft(stem, steps, difficulty=0.6, extra_kps=("分式的乘除",))


@register("整数指数幂")
def _negative_exponent(rng: np.random.Generator) -> Draft:
    a, n = randint(rng, 2, 5), randint(rng, 1, 3)
    question = f"计算 $(-{a})^{{-{n}}}$ 的结果是"
    value = Fraction(1, (-a) ** n)
    wrong = [mnum((-a) ** n), mnum(-value), mnum(-a * n)]
    return value_draft(rng, question, mnum(value), wrong, difficulty=-0.3)


@register("整数指数幂")
def _small_scientific(rng: np.random.Generator) -> Draft:
    digits, zeros = randint(rng, 11, 99), randint(rng, 3, 7)
    while digits % 10 == 0:
        digits += 1
    text = "0." + "0" * zeros + str(digits)
    mantissa = f"{str(digits)[0]}.{str(digits)[1]}"
    question = f"某种细菌的直径约为 ${text}$ 米，将 ${text}$ 用科学记数法表示为"
    exponent = -(zeros + 1)
    wrong = [
        f"${mantissa}\\times10^{{{exponent + 1}}}$",
        f"${mantissa}\\times10^{{{-exponent}}}$",
        f"${digits}\\times10^{{{exponent - 1}}}$",
    ]
    return value_draft(
        rng, question, f"${mantissa}\\times10^{{{exponent}}}$", wrong, difficulty=-0.2
    )


_EQUATION_PAIRS = [
    (a, b)
    for a in range(1, 6)
    for b in range(2, 10)
    if b != a and (a + b) % (b - a) == 0 and abs((a + b) // (b - a)) != 1
]


@register("解分式方程")
def _fractional_equation(rng: np.random.Generator) -> Draft:
    # a/(x-1) = b/(x+1)  ⇒  a(x+1) = b(x-1)  ⇒  x = (a+b)/(b-a)
    a, b = pick(rng, _EQUATION_PAIRS)
    root = (a + b) // (b - a)
    stem = f"解分式方程：$\\frac{{{a}}}{{x-1}}=\\frac{{{b}}}{{x+1}}$。"
    steps = (
        Step("方程两边同乘 $(x-1)(x+1)$，得 " + f"${a}(x+1)={b}(x-1)$", "去分母正确", 2),
        Step(f"解得 $x={root}$", "解整式方程", 2),
        Step(f"检验：当 $x={root}$ 时，$(x-1)(x+1)={(root - 1) * (root + 1)}\\neq 0$，", "检验", 1),
        Step(f"所以原分式方程的解为 $x={root}$。", "写出结论", 1),
    )
    return SolutionDraft(stem, steps, difficulty=0.3)


@register("分式方程的应用")
def _speed_trip(rng: np.random.Generator) -> Draft:
    v, k = randint(rng, 4, 12) * 5, pick(rng, (Fraction(3, 2), Fraction(2), Fraction(5, 4)))
    while True:
        t = randint(rng, 2, 8)
        distance = v * t
        fast_time = Fraction(distance) / (v * k)
        saved = t - fast_time
        if saved.denominator in (1, 2):
            break
    stem = (
        f"甲、乙两地相距 ${distance}$ 千米，一辆汽车提速后的速度是原来的 ${dec(k)}$ 倍，"
        f"从甲地到乙地所用时间比原来少 ${num(saved)}$ 小时。求汽车原来的速度。"
    )
    steps = (
        Step(
            "设汽车原来的速度为 $x$ 千米/时，则提速后的速度为 " + f"${dec(k)}x$ 千米/时。",
            "设未知数",
            1,
        ),
        Step(
            f"根据题意，得 $\\frac{{{distance}}}{{x}}-\\frac{{{distance}}}{{{dec(k)}x}}="
            f"{num(saved)}$",
            "正确列出分式方程",
            3,
        ),
        Step(f"解得 $x={v}$", "解方程", 3),
        Step(f"经检验，$x={v}$ 是原方程的解，且符合题意。", "检验（分式方程必须检验）", 2),
        Step(f"答：汽车原来的速度为 ${v}$ 千米/时。", "作答", 1),
    )
    return SolutionDraft(stem, steps, difficulty=0.8, extra_kps=("解分式方程",))
