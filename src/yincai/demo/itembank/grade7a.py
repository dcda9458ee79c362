"""Templates for 七上 第二章 整式的加减, 第三章 一元一次方程, 第四章 几何图形初步."""

from __future__ import annotations

from fractions import Fraction
from math import lcm

import numpy as np

from yincai.demo.itembank.drafts import (
    Draft,
    Registry,
    SolutionDraft,
    StatementDraft,
    Step,
    math,
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


def _root_x(value: Fraction | int) -> str:
    return f"$x={num(value)}$"


@register("用字母表示数")
def _letters(rng: np.random.Generator) -> Draft:
    k = randint(rng, 6, 9)
    if rng.random() < 0.5:
        question = f"一件商品原价 $a$ 元，打{'六七八九'[k - 6]}折后的售价是"
        wrong = [f"${k}a$ 元", f"$0.{10 - k}a$ 元", f"$(a-0.{k})$ 元"]
        return value_draft(rng, question, f"$0.{k}a$ 元", wrong, difficulty=-1.0)
    m, n = randint(rng, 3, 9), pick(rng, (20, 50, 100))
    question = f"每本练习本 $x$ 元，小明买了 ${m}$ 本，付给营业员 ${n}$ 元，应找回"
    wrong = [f"$({m}x-{n})$ 元", f"$({n}-x)$ 元", f"${n - m}x$ 元"]
    return value_draft(rng, question, f"$({n}-{m}x)$ 元", wrong, difficulty=-0.9)


@register("单项式的系数与次数")
def _monomial(rng: np.random.Generator) -> Draft:
    c = Fraction(-randint(rng, 1, 7), pick(rng, (3, 5, 7)))
    p, q = randint(rng, 1, 4), randint(rng, 2, 4)
    mono = f"{num(c)}x^{{{p}}}y^{{{q}}}".replace("x^{1}", "x")
    question = f"单项式 ${mono}$ 的系数和次数分别是"
    answer = f"${num(c)}$，${p + q}$"
    wrong = [f"${num(-c)}$，${p + q}$", f"${num(c)}$，${max(p, q)}$", f"${c.numerator}$，${p + q}$"]
    return value_draft(rng, question, answer, wrong, difficulty=-0.8)


@register("多项式的项与次数")
def _polynomial(rng: np.random.Generator) -> Draft:
    degrees = sample(rng, [(3, 1), (2, 2), (1, 2), (2, 1), (1, 1), (4, 1), (0, 2)], 3)
    terms = [(randint(rng, -6, 6, nonzero=True), f"x^{{{a}}}y^{{{b}}}") for a, b in degrees]
    cleaned = [(c, m.replace("x^{0}", "").replace("^{1}", "")) for c, m in terms]
    cleaned.append((randint(rng, -9, 9, nonzero=True), ""))
    top = max(a + b for a, b in degrees)
    question = f"多项式 ${poly(cleaned)}$ 的次数和项数分别是"
    wrong = [
        f"${4}$，${top}$" if top != 4 else "$3$，$4$",
        f"${top + 1}$，$4$",
        f"${max(a for a, _ in degrees)}$，$4$",
    ]
    return value_draft(rng, question, f"${top}$，$4$", wrong, difficulty=-0.5)


@register("同类项")
def _like_terms_exponent(rng: np.random.Generator) -> Draft:
    m, n = randint(rng, 1, 4), randint(rng, 2, 4)
    j, k = randint(rng, 1, 3), randint(rng, 1, 3)
    a, b = randint(rng, 2, 7), randint(rng, 2, 7)
    question = (
        f"若 ${a}x^{{m+{j}}}y^{{{n}}}$ 与 $-{b}x^{{{m + j}}}y^{{n-{k}}}$ 是同类项，则 $m+n$ 的值是"
    )
    total = m + n + k
    return value_draft(
        rng, question, mnum(total), [mnum(m + n), mnum(total + j)], difficulty=-0.3, numeric=total
    )


@register("同类项")
def _like_terms_pairs(rng: np.random.Generator) -> Draft:
    a, b = randint(rng, 2, 9), randint(rng, 2, 9)
    return StatementDraft(
        "下列各组单项式中",
        (f"${a}x^{{2}}y$ 与 $-{b}yx^{{2}}$", f"$-{a}$ 与 ${b}$", f"${a}ab$ 与 $-ba$"),
        (
            f"${a}x^{{2}}y$ 与 ${a}xy^{{2}}$",
            f"${a}ab$ 与 ${a}abc$",
            f"${b}a^{{2}}$ 与 ${b}b^{{2}}$",
            f"${a}x$ 与 ${a}$",
        ),
        ask_true="是同类项的是",
        ask_false="不是同类项的是",
        claim="是同类项",
        difficulty=-0.8,
    )


@register("合并同类项")
def _combine_statements(rng: np.random.Generator) -> Draft:
    a, b = randint(rng, 2, 7), randint(rng, 2, 7)
    return StatementDraft(
        "下列计算中",
        (
            f"${a}x+{b}x={a + b}x$",
            f"${a + b}a^{{2}}b-{b}a^{{2}}b={a}a^{{2}}b$",
            f"$-{a}xy+{a}yx=0$",
        ),
        (
            f"${a}a+{b}b={a + b}ab$",
            f"${a + b}a^{{2}}-{b}a^{{2}}={a}$",
            f"${a}x^{{2}}+{b}x^{{3}}={a + b}x^{{5}}$",
            f"${a}m+{b}m={a + b}m^{{2}}$",
        ),
        difficulty=-0.6,
    )


@register("合并同类项")
def _combine_value(rng: np.random.Generator) -> Draft:
    c = [randint(rng, -8, 8, nonzero=True) for _ in range(4)]
    expression = poly([(c[0], "x^{2}"), (c[1], "x"), (c[2], "x^{2}"), (c[3], "x")])
    answer = math(poly([(c[0] + c[2], "x^{2}"), (c[1] + c[3], "x")]))
    wrong = [
        math(poly([(c[0] + c[2] + c[1] + c[3], "x^{3}")])),
        math(poly([(c[0] - c[2], "x^{2}"), (c[1] + c[3], "x")])),
        math(poly([(c[0] + c[2], "x^{4}"), (c[1] + c[3], "x^{2}")])),
    ]
    return value_draft(rng, f"合并同类项：${expression}$ 的结果是", answer, wrong, difficulty=-0.3)


@register("去括号")
def _remove_brackets(rng: np.random.Generator) -> Draft:
    k, a, b = randint(rng, 2, 6), randint(rng, 2, 7), randint(rng, 1, 9)
    question = f"化简 $-{k}({a}x-{b}y)$ 的结果是"
    answer = math(poly([(-k * a, "x"), (k * b, "y")]))
    wrong = [
        math(poly([(-k * a, "x"), (-b, "y")])),
        math(poly([(-k * a, "x"), (-k * b, "y")])),
        math(poly([(k * a, "x"), (-k * b, "y")])),
    ]
    return value_draft(rng, question, answer, wrong, difficulty=-0.5)


@register("整式的加减运算")
def _simplify_evaluate(rng: np.random.Generator) -> Draft:
    p, q, r, s = randint(rng, 2, 4), randint(rng, 1, 3), randint(rng, 1, 3), randint(rng, 1, 4)
    x, y = randint(rng, -3, 3, nonzero=True), randint(rng, -3, 3, nonzero=True)
    # p(x² - q·xy) - (r·x² - s·xy)
    expanded = poly([(p, "x^{2}"), (-p * q, "xy"), (-r, "x^{2}"), (s, "xy")])
    a, b = p - r, -p * q + s
    value = a * x * x + b * x * y
    first, second = poly([(1, "x^{2}"), (-q, "xy")]), poly([(r, "x^{2}"), (-s, "xy")])
    stem = f"先化简，再求值：${p}({first})-({second})$，其中 $x={x}$，$y={y}$。"
    steps = (
        Step(f"原式 $={expanded}$", "去括号正确", 2),
        Step(f"$={poly([(a, 'x^{2}'), (b, 'xy')])}$", "合并同类项正确", 2),
        Step(f"当 $x={x}$，$y={y}$ 时，原式 $={value}$", "代入求值正确", 2),
    )
    return SolutionDraft(stem, steps, extra_kps=("去括号", "合并同类项"))


@register("一元一次方程的概念")
def _linear_definition(rng: np.random.Generator) -> Draft:
    j = randint(rng, 0, 3)
    c = randint(rng, 2, 9)
    question = f"若 $(m-{j + 1})x^{{|m|-{j}}}+{c}=0$ 是关于 $x$ 的一元一次方程，则 $m$ 的值是"
    m = j + 1
    wrong = [mnum(m), f"$\\pm{m}$", mnum(j if j else m + 1)]
    return value_draft(rng, question.replace("-0}", "}"), mnum(-m), wrong, difficulty=0.3)


@register("一元一次方程的概念")
def _linear_which(rng: np.random.Generator) -> Draft:
    a, b, c = randint(rng, 2, 7), randint(rng, 1, 9), randint(rng, 2, 9)
    return StatementDraft(
        "下列方程中",
        (f"${a}x-{b}={c}$", f"$\\frac{{x}}{{{c}}}=x-{b}$", f"${a}(x-1)={c}x$"),
        (f"$x^{{2}}-{b}=0$", f"$x+y={c}$", f"$\\frac{{{a}}}{{x}}={b}$", f"${a}x-{b}$"),
        ask_true="是一元一次方程的是",
        ask_false="不是一元一次方程的是",
        claim="是一元一次方程",
        difficulty=-0.9,
    )


@register("等式的性质")
def _equality_rules(rng: np.random.Generator) -> Draft:
    k = randint(rng, 2, 9)
    return StatementDraft(
        "下列变形中",
        (
            f"若 $a=b$，则 $a+{k}=b+{k}$",
            "若 $\\frac{a}{c}=\\frac{b}{c}$，则 $a=b$",
            f"若 $a=b$，则 ${k}a={k}b$",
            f"若 $-\\frac{{x}}{{{k}}}=1$，则 $x=-{k}$",
        ),
        (
            "若 $a=b$，则 $\\frac{a}{c}=\\frac{b}{c}$",
            "若 $ac=bc$，则 $a=b$",
            f"若 $a=b$，则 $a-{k}=b+{k}$",
            f"若 ${k}x=1$，则 $x={k}$",
        ),
        claim="，这个变形正确",
        difficulty=-0.2,
    )


def _linear_equation(rng: np.random.Generator) -> tuple[int, int, int, int, int]:
    root = randint(rng, -6, 6)
    a, c = sample(rng, [v for v in range(-7, 8) if v], 2)
    b = randint(rng, -12, 12)
    d = a * root + b - c * root
    return a, b, c, d, root


@register("合并同类项解方程")
def _collect_solve(rng: np.random.Generator) -> Draft:
    root = randint(rng, -8, 8, nonzero=True)
    a, b = randint(rng, 2, 7), randint(rng, -5, 5, nonzero=True)
    if a + b == 0:
        b += 1 if b != -1 else 2
    question = f"方程 ${poly([(a, 'x'), (b, 'x')])}={(a + b) * root}$ 的解是"
    wrong = [
        _root_x(-root),
        _root_x(Fraction((a + b) * root, a - b)) if a != b else _root_x(0),
        _root_x((a + b) * root),
    ]
    return value_draft(
        rng, question, _root_x(root), wrong, difficulty=-0.8, numeric=root, fmt=_root_x
    )


@register("移项解方程")
def _transpose_solve(rng: np.random.Generator) -> Draft:
    a, b, c, d, root = _linear_equation(rng)
    question = f"方程 ${poly([(a, 'x'), (b, '')])}={poly([(c, 'x'), (d, '')])}$ 的解是"
    wrong = [
        _root_x(-root),
        _root_x(Fraction(d + b, a - c)),
        _root_x(Fraction(d - b, a + c)) if a + c else _root_x(root + 1),
    ]
    return value_draft(
        rng, question, _root_x(root), wrong, difficulty=-0.4, numeric=root, fmt=_root_x
    )


@register("去括号解方程")
def _bracket_solve(rng: np.random.Generator) -> Draft:
    root = randint(rng, -5, 6)
    a, c = sample(rng, [2, 3, 4, 5], 2)
    b, d = randint(rng, 1, 6), randint(rng, 1, 6)
    e = a * (root + b) - c * (root - d)
    steps = (
        Step(
            f"去括号，得 ${poly([(a, 'x'), (a * b, '')])}{poly([(-c, 'x'), (c * d, '')])}={e}$",
            "去括号正确",
            2,
        ),
        Step(
            f"移项，得 ${poly([(a, 'x'), (-c, 'x')])}="
            f"{poly([(e, ''), (-a * b, ''), (-c * d, '')])}$",
            "移项正确（移项要变号）",
            2,
        ),
        Step(f"合并同类项，得 ${poly([(a - c, 'x')])}={(a - c) * root}$", "合并同类项正确", 1),
        Step(f"系数化为 $1$，得 $x={root}$", "求出方程的解", 1),
    )
    stem = f"解方程：${a}(x+{b})-{c}(x-{d})={e}$。"
    return SolutionDraft(stem, steps, difficulty=0.0, extra_kps=("去括号",))


@register("去分母解方程")
def _fraction_solve(rng: np.random.Generator) -> Draft:
    while True:
        m, n = sample(rng, [2, 3, 4, 5, 6], 2)
        p, q, root = randint(rng, 1, 5), randint(rng, 1, 5), randint(rng, -6, 9)
        rhs = Fraction(root + p, m) - Fraction(root - q, n)
        if rhs.denominator == 1 and n != m:
            break
    common = lcm(m, n)
    u, v = common // m, common // n
    stem = f"解方程：$\\frac{{x+{p}}}{{{m}}}-\\frac{{x-{q}}}{{{n}}}={num(rhs)}$。"
    steps = (
        Step(
            f"去分母，得 ${u}(x+{p})-{v}(x-{q})={num(rhs * common)}$",
            "去分母正确（常数项也乘最简公分母）",
            2,
        ),
        Step(
            f"去括号，得 ${poly([(u, 'x'), (u * p, '')])}{poly([(-v, 'x'), (v * q, '')])}="
            f"{num(rhs * common)}$",
            "去括号正确",
            2,
        ),
        Step(
            f"移项、合并同类项，得 ${poly([(u - v, 'x')])}={num((u - v) * root)}$",
            "移项、合并正确",
            1,
        ),
        Step(f"系数化为 $1$，得 $x={root}$", "求出方程的解", 1),
    )
    return SolutionDraft(stem, steps, difficulty=0.4, extra_kps=("去括号解方程",))


def _application_steps(setup: str, equation: str, solved: str, reply: str) -> tuple[Step, ...]:
    return (
        Step(setup, "设未知数", 1),
        Step(f"根据题意，得 {equation}", "正确列出方程", 3),
        Step(f"解得 {solved}", "正确解方程", 2),
        Step(reply, "检验并作答", 1),
    )


@register("行程问题")
def _meeting(rng: np.random.Generator) -> Draft:
    v1, v2, t = randint(rng, 40, 80), randint(rng, 10, 35), randint(rng, 2, 5)
    distance = (v1 + v2) * t
    stem = (
        f"甲、乙两地相距 ${distance}$ 千米，一辆汽车从甲地、一辆摩托车从乙地同时出发相向而行，"
        f"汽车每小时行驶 ${v1}$ 千米，摩托车每小时行驶 ${v2}$ 千米，"
    )
    if rng.random() < 0.5:
        wrong = [mdec(Fraction(distance, v1 - v2)), mnum(t + 1), mdec(Fraction(distance, v1))]
        return value_draft(
            rng,
            stem + "经过几小时两车相遇？两车相遇所用的时间是",
            f"${t}$ 小时",
            [w + " 小时" for w in wrong],
            difficulty=-0.2,
        )
    steps = _application_steps(
        "设经过 $x$ 小时两车相遇。",
        f"${v1}x+{v2}x={distance}$",
        f"$x={t}$",
        f"答：经过 ${t}$ 小时两车相遇。",
    )
    return SolutionDraft(stem + "经过几小时两车相遇？", steps, difficulty=0.2)


_WORK_PAIRS = ((10, 15), (12, 24), (20, 30), (6, 12), (4, 12), (12, 36), (30, 60), (15, 10))


@register("工程问题")
def _joint_work(rng: np.random.Generator) -> Draft:
    a, b = pick(rng, _WORK_PAIRS)
    together = Fraction(a * b, a + b)
    first = randint(rng, 1, min(a, b) // 2)
    rest = (1 - Fraction(first, a)) / (Fraction(1, a) + Fraction(1, b))
    stem = f"一项工程，甲队单独做需要 ${a}$ 天完成，乙队单独做需要 ${b}$ 天完成。"
    if rng.random() < 0.5:
        wrong = [mnum(Fraction(a + b, 2)), mnum(a + b), mnum(abs(a - b))]
        return value_draft(
            rng,
            stem + "若两队合作，完成这项工程需要的天数是",
            mnum(together),
            wrong,
            difficulty=0.0,
            numeric=together,
        )
    stem += f"若甲队先单独做 ${first}$ 天，剩下的由两队合作完成，还需要多少天？"
    steps = _application_steps(
        "设还需要 $x$ 天完成。",
        f"$\\frac{{{first}}}{{{a}}}+(\\frac{{1}}{{{a}}}+\\frac{{1}}{{{b}}})x=1$",
        f"$x={num(rest)}$",
        f"答：还需要 ${num(rest)}$ 天完成。",
    )
    return SolutionDraft(stem, steps, difficulty=0.5, extra_kps=("去分母解方程",))


def _sale_numbers(rng: np.random.Generator) -> tuple[int, int, int, int]:
    while True:
        cost, rate, discount = (
            randint(rng, 6, 60) * 10,
            pick(rng, (10, 20, 25, 50)),
            randint(rng, 6, 9),
        )
        price = Fraction(cost * (100 + rate) * 10, 100 * discount)
        if price.denominator == 1:
            return cost, rate, discount, int(price)


@register("销售利润问题")
def _sale(rng: np.random.Generator) -> Draft:
    cost, rate, discount, price = _sale_numbers(rng)
    lead = (
        f"某商品的标价为 ${price}$ 元，若按标价打{'零一二三四五六七八九'[discount]}折出售，仍"
        f"可获利 ${rate}\\%$，"
    )
    if rng.random() < 0.5:
        selling = Fraction(price * discount, 10)
        wrong = [
            mdec(selling * (100 - rate) / 100),
            mdec(selling),
            mdec(price * Fraction(100, 100 + rate)),
        ]
        return value_draft(
            rng, lead + "则该商品的进价是", mnum(cost), wrong, difficulty=0.3, numeric=cost
        )
    steps = _application_steps(
        "设该商品的进价为 $x$ 元。",
        f"${price}\\times{discount / 10:g}-x={rate / 100:g}x$",
        f"$x={cost}$",
        f"答：该商品的进价为 ${cost}$ 元。",
    )
    return SolutionDraft(lead + "求该商品的进价。", steps, difficulty=0.4)
