"""Templates for 九上 第二十一章 一元二次方程."""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from yincai.demo.itembank.drafts import (
    Draft,
    Registry,
    SolutionDraft,
    Step,
    dec,
    mnum,
    pick,
    poly,
    randint,
    registrar,
    sample,
    value_draft,
)

TEMPLATES: Registry = {}
register = registrar(TEMPLATES)


def quadratic(a: int | Fraction, b: int | Fraction, c: int | Fraction) -> str:
    return poly([(a, "x^{2}"), (b, "x"), (c, "")])


def roots_text(r1: int, r2: int) -> str:
    if r1 == r2:
        return f"$x_{{1}}=x_{{2}}={r1}$"
    low, high = sorted((r1, r2))
    return f"$x_{{1}}={low}$，$x_{{2}}={high}$"


def two_roots(rng: np.random.Generator) -> tuple[int, int]:
    r1, r2 = sample(rng, list(range(-6, 7)), 2)
    return r1, r2


@register("一元二次方程的概念")
def _quadratic_definition(rng: np.random.Generator) -> Draft:
    k = randint(rng, 1, 5)
    question = f"若关于 $x$ 的方程 $(m-{k})x^{{2}}+3x-1=0$ 是一元二次方程，则 $m$ 的取值范围是"
    return value_draft(
        rng, question, f"$m\\neq {k}$", [f"$m={k}$", f"$m>{k}$", f"$m\\neq -{k}$"], difficulty=-0.4
    )


@register("一元二次方程的概念")
def _general_form(rng: np.random.Generator) -> Draft:
    a, b, c = randint(rng, 2, 5), randint(rng, 1, 6), randint(rng, 1, 9)
    question = f"把方程 ${a}x^{{2}}={b}x+{c}$ 化成一般形式后，二次项系数、一次项系数、常数项分别是"
    answer = f"${a}$，${-b}$，${-c}$"
    wrong = [f"${a}$，${b}$，${c}$", f"${a}$，${b}$，${-c}$", f"${a}$，${-b}$，${c}$"]
    return value_draft(rng, question, answer, wrong, difficulty=-0.5)


@register("一元二次方程的解")
def _known_root(rng: np.random.Generator) -> Draft:
    r, other = randint(rng, -4, 4, nonzero=True), randint(rng, -5, 5)
    b = -(r + other)
    c = r * other
    question = (
        f"已知 $x={r}$ 是关于 $x$ 的方程 $x^{{2}}{'+' if b >= 0 else '-'}{abs(b)}x+m=0$ 的"
        "一个根，则 $m$ 的值是"
    )
    return value_draft(
        rng,
        question,
        mnum(c),
        [mnum(-c), mnum(r * r), mnum(-r * r - b * r + 1)],
        difficulty=-0.2,
        numeric=c,
    )


@register("直接开平方法与配方法")
def _complete_square(rng: np.random.Generator) -> Draft:
    h, k = randint(rng, 1, 5), randint(rng, 1, 9)
    c = h * h - k
    question = f"用配方法解方程 ${quadratic(1, -2 * h, c)}=0$，配方后得到的方程是"
    answer = f"$(x-{h})^{{2}}={k}$"
    wrong = [
        f"$(x+{h})^{{2}}={k}$",
        f"$(x-{h})^{{2}}={k + 2 * h * h}$" if c else f"$(x-{h})^{{2}}={-k}$",
        f"$(x-{2 * h})^{{2}}={k}$",
    ]
    return value_draft(rng, question, answer, wrong, difficulty=-0.1)


@register("直接开平方法与配方法")
def _square_root_method(rng: np.random.Generator) -> Draft:
    h, k = randint(rng, -4, 4), randint(rng, 1, 6)
    sign = "+" if h < 0 else "-"
    question = (
        f"方程 $(x{sign}{abs(h)})^{{2}}={k * k}$ 的解是" if h else f"方程 $x^{{2}}={k * k}$ 的解是"
    )
    answer = roots_text(h - k, h + k)
    wrong = [
        f"$x={h + k}$",
        roots_text(-h - k, -h + k) if h else f"$x={k}$",
        roots_text(h - k * k, h + k * k),
        f"$x={h - k}$",
        f"$x_{{1}}=x_{{2}}={h + k}$",
    ]
    return value_draft(rng, question, answer, wrong, difficulty=-0.4)


@register("公式法与根的判别式")
def _discriminant(rng: np.random.Generator) -> Draft:
    a, b, c = randint(rng, 1, 3), randint(rng, -7, 7), randint(rng, -6, 6)
    delta = b * b - 4 * a * c
    kind = (
        "有两个不相等的实数根"
        if delta > 0
        else ("有两个相等的实数根" if delta == 0 else "没有实数根")
    )
    kinds = ["有两个不相等的实数根", "有两个相等的实数根", "没有实数根", "无法确定"]
    question = f"一元二次方程 ${quadratic(a, b, c)}=0$ 的根的情况是"
    return value_draft(rng, question, kind, [k for k in kinds if k != kind], difficulty=-0.3)


@register("公式法与根的判别式")
def _parameter_range(rng: np.random.Generator) -> Draft:
    b = randint(rng, 1, 4) * 2
    bound = Fraction(b * b, 4)
    question = (
        f"若关于 $x$ 的一元二次方程 $x^{{2}}-{b}x+k=0$ 有两个不相等的实数根，则 $k$ 的取值范围是"
    )
    wrong = [f"$k\\leq {dec(bound)}$", f"$k>{dec(bound)}$", f"$k<{dec(bound / 2)}$"]
    return value_draft(rng, question, f"$k<{dec(bound)}$", wrong, difficulty=0.3)


@register("因式分解法")
def _factor_solve(rng: np.random.Generator) -> Draft:
    r1, r2 = two_roots(rng)
    if rng.random() < 0.5:
        question = f"方程 ${quadratic(1, -(r1 + r2), r1 * r2)}=0$ 的解是"
        wrong = [
            roots_text(-r1, -r2),
            f"$x={max(r1, r2)}$",
            roots_text(r1 + r2, r1 * r2) if r1 + r2 != r1 * r2 else "无实数解",
        ]
        return value_draft(rng, question, roots_text(r1, r2), wrong, difficulty=0.0)
    k = randint(rng, 2, 6)
    stem = f"解方程：$x(x-{k})={2 * k}-2x$。"  # x(x−k) + 2(x−k) = 0
    steps = (
        Step(f"移项，得 $x(x-{k})+2(x-{k})=0$", "移项并整理成可因式分解的形式", 2),
        Step(f"因式分解，得 $(x-{k})(x+2)=0$", "正确因式分解", 2),
        Step(f"$\\therefore x-{k}=0$ 或 $x+2=0$，", "化为两个一元一次方程", 1),
        Step(f"$\\therefore x_{{1}}={k}$，$x_{{2}}=-2$。", "求出两个根", 1),
    )
    return SolutionDraft(stem, steps, difficulty=0.4, extra_kps=("提公因式法",))


@register("根与系数的关系")
def _vieta(rng: np.random.Generator) -> Draft:
    r1, r2 = two_roots(rng)
    s, p = r1 + r2, r1 * r2
    kind = pick(rng, ("sum", "squares"))
    equation = f"${quadratic(1, -s, p)}=0$"
    if kind == "sum":
        question = (
            f"设 $x_{{1}}$，$x_{{2}}$ 是方程 {equation} 的两个根，则 $x_{{1}}+x_{{2}}$ 的值是"
        )
        return value_draft(
            rng, question, mnum(s), [mnum(-s), mnum(p), mnum(-p)], difficulty=-0.3, numeric=s
        )
    value = s * s - 2 * p
    question = (
        f"设 $x_{{1}}$，$x_{{2}}$ 是方程 {equation} 的两个根，"
        "则 $x_{1}^{2}+x_{2}^{2}$ 的值是"
    )
    return value_draft(
        rng,
        question,
        mnum(value),
        [mnum(s * s + 2 * p), mnum(s * s), mnum(s * s - p)],
        difficulty=0.4,
        numeric=value,
    )


@register("增长率问题")
def _growth(rng: np.random.Generator) -> Draft:
    start = randint(rng, 2, 9) * 100
    rate = pick(rng, (Fraction(1, 10), Fraction(1, 5), Fraction(1, 4), Fraction(1, 2)))
    end = start * (1 + rate) ** 2
    stem = (
        f"某企业 2022 年的年产值为 ${start}$ 万元，2024 年的年产值为 ${dec(end)}$ 万元，"
        "求这两年年产值的年平均增长率。"
    )
    if rng.random() < 0.5:
        question = stem.replace(
            "求这两年年产值的年平均增长率。", "设年平均增长率为 $x$，则可列方程为"
        )
        answer = f"${start}(1+x)^{{2}}={dec(end)}$"
        wrong = [
            f"${start}(1+2x)={dec(end)}$",
            f"${start}(1+x)={dec(end)}$",
            f"${start}(1-x)^{{2}}={dec(end)}$",
        ]
        return value_draft(rng, question, answer, wrong, difficulty=0.0)
    steps = (
        Step("设这两年年产值的年平均增长率为 $x$。", "设未知数", 1),
        Step(f"根据题意，得 ${start}(1+x)^{{2}}={dec(end)}$", "正确列出方程", 3),
        Step(
            f"解得 $x_{{1}}={dec(rate)}$，$x_{{2}}={dec(-2 - rate)}$（不合题意，舍去）",
            "解方程并舍去负根",
            3,
        ),
        Step(f"答：这两年年产值的年平均增长率为 ${dec(rate * 100)}\\%$。", "作答", 1),
    )
    return SolutionDraft(stem, steps, difficulty=0.5)


@register("面积问题")
def _garden(rng: np.random.Generator) -> Draft:
    length, width, path = randint(rng, 16, 30), randint(rng, 10, 15), randint(rng, 1, 3)
    area = (length - path) * (width - path)
    stem = (
        f"在一块长 ${length}$ m、宽 ${width}$ m 的矩形空地上，修建两条互相垂直且宽度相同的小路（分"
        "别与矩形的边平行），"
        f"其余部分种草。若草坪面积为 ${area}$ m²，求小路的宽度。"
    )
    steps = (
        Step("设小路的宽度为 $x$ m。", "设未知数", 1),
        Step(f"根据题意，得 $({length}-x)({width}-x)={area}$", "利用平移转化，正确列方程", 3),
        Step(
            f"整理得 ${quadratic(1, -(length + width), length * width - area)}=0$，"
            f"解得 $x_{{1}}={path}$，$x_{{2}}={length + width - path}$（不合题意，舍去）",
            "解方程并检验",
            3,
        ),
        Step(f"答：小路的宽度为 ${path}$ m。", "作答", 1),
    )
    return SolutionDraft(stem, steps, difficulty=0.6, extra_kps=("因式分解法",))
