"""Templates for 七下 第八章 二元一次方程组, 第九章 不等式与不等式组."""

from __future__ import annotations

from fractions import Fraction
from math import ceil, floor

import numpy as np

from yincai.demo.itembank.drafts import (
    Draft,
    Registry,
    SolutionDraft,
    StatementDraft,
    Step,
    mdec,
    mnum,
    pick,
    poly,
    randint,
    registrar,
    sample,
    value_draft,
)

TWICE = "2\\times"
TEMPLATES: Registry = {}
register = registrar(TEMPLATES)


def system(first: str, second: str) -> str:
    """A system of two equations in LaTeX (no dollars)."""
    return f"\\begin{{cases}}{first}\\\\{second}\\end{{cases}}"


def pair(x: int, y: int) -> str:
    return f"${system(f'x={x}', f'y={y}')}$"


@register("二元一次方程（组）的概念")
def _two_variable_definition(rng: np.random.Generator) -> Draft:
    j, k, c = randint(rng, 1, 4), randint(rng, 1, 4), randint(rng, 2, 9)
    question = f"若 $3x^{{m-{j}}}+2y^{{n+{k}}}={c}$ 是关于 $x$、$y$ 的二元一次方程，则 $m+n$ 的值是"
    value = (1 + j) + (1 - k)
    wrong = [mnum(j + k), mnum(value + 2), mnum(2)]
    return value_draft(rng, question, mnum(value), wrong, difficulty=0.0, numeric=value)


@register("二元一次方程组的解")
def _plug_solution(rng: np.random.Generator) -> Draft:
    x, y = randint(rng, -4, 5, nonzero=True), randint(rng, -4, 5, nonzero=True)
    k, b = randint(rng, -5, 5, nonzero=True), randint(rng, 1, 6)
    c = k * x + b * y
    question = f"已知 {pair(x, y)} 是方程 $kx+{b}y={c}$ 的解，则 $k$ 的值是"
    return value_draft(rng, question, mnum(k), [mnum(-k)], difficulty=-0.4, numeric=k)


def _substitution_system(rng: np.random.Generator) -> tuple[int, int, int, int, int, int, int]:
    x, y = randint(rng, -4, 6), randint(rng, -4, 6)
    a, b = randint(rng, 2, 4), randint(rng, -5, 5)
    while a * x + b != y:
        b = y - a * x
    c, d = randint(rng, 1, 5), randint(rng, 1, 4)
    return x, y, a, b, c, d, c * x + d * y


@register("代入消元法")
def _substitution(rng: np.random.Generator) -> Draft:
    x, y, a, b, c, d, e = _substitution_system(rng)
    first, second = f"y={poly([(a, 'x'), (b, '')])}", f"{poly([(c, 'x'), (d, 'y')])}={e}"
    if rng.random() < 0.5:
        question = f"方程组 ${system(first, second)}$ 的解是"
        wrong = [pair(y, x), pair(-x, y), pair(x, -y)]
        return value_draft(rng, question, pair(x, y), wrong, difficulty=0.0)
    steps = (
        Step(
            f"把①代入②，得 ${poly([(c, 'x')])}+{d}({poly([(a, 'x'), (b, '')])})={e}$",
            "代入消元正确",
            2,
        ),
        Step(f"解得 $x={x}$", "解出 $x$", 2),
        Step(f"把 $x={x}$ 代入①，得 $y={y}$", "求出 $y$", 1),
        Step(f"所以原方程组的解是 {pair(x, y)}", "写出方程组的解", 1),
    )
    return SolutionDraft(f"用代入消元法解方程组：${system(first + '&①', second + '&②')}$", steps)


@register("加减消元法")
def _elimination(rng: np.random.Generator) -> Draft:
    x, y = randint(rng, -3, 6), randint(rng, -3, 6)
    a, b = sample(rng, [1, 2, 3, 4, 5], 2)
    if rng.random() < 0.5:
        c1, c2 = a * x + b * y, b * x + a * y
        first = poly([(a, "x"), (b, "y")]) + f"={c1}"
        second = poly([(b, "x"), (a, "y")]) + f"={c2}"
        question = f"已知 ${system(first, second)}$，则 $x+y$ 的值是"
        return value_draft(
            rng, question, mnum(x + y), [mnum(x - y), mnum(c1 + c2)], difficulty=0.3, numeric=x + y
        )
    d = randint(rng, 1, 4)
    c1, c2 = a * x + d * y, b * x - d * y
    first, second = f"{poly([(a, 'x'), (d, 'y')])}={c1}", f"{poly([(b, 'x'), (-d, 'y')])}={c2}"
    steps = (
        Step(f"①+②，得 ${a + b}x={c1 + c2}$", "两式相加消去 $y$", 2),
        Step(f"解得 $x={x}$", "解出 $x$", 2),
        Step(
            f"把 $x={x}$ 代入①，得 ${poly([(a * x, ''), (d, 'y')])}={c1}$，解得 $y={y}$",
            "求出 $y$",
            1,
        ),
        Step(f"所以原方程组的解是 {pair(x, y)}", "写出方程组的解", 1),
    )
    return SolutionDraft(f"用加减消元法解方程组：${system(first + '&①', second + '&②')}$", steps)


@register("列二元一次方程组解应用题")
def _prices(rng: np.random.Generator) -> Draft:
    x, y = randint(rng, 6, 15) * 10, randint(rng, 4, 12) * 10
    p, q, r, s = randint(rng, 2, 5), randint(rng, 1, 4), randint(rng, 1, 4), randint(rng, 2, 5)
    if p * s == q * r:
        s += 1
    c1, c2 = p * x + q * y, r * x + s * y
    stem = (
        f"某校为体育节购买篮球和足球。已知购买 ${p}$ 个篮球和 ${q}$ 个足球共需 ${c1}$ 元，"
        f"购买 ${r}$ 个篮球和 ${s}$ 个足球共需 ${c2}$ 元。求篮球和足球的单价。"
    )
    steps = (
        Step("设篮球的单价为 $x$ 元，足球的单价为 $y$ 元。", "设未知数", 1),
        Step(
            f"根据题意，得 ${system(f'{p}x+{q}y={c1}', f'{r}x+{s}y={c2}')}$".replace(
                "1x", "x"
            ).replace("+1y", "+y"),
            "正确列出方程组",
            3,
        ),
        Step(f"解得 {pair(x, y)}", "正确解方程组", 2),
        Step(f"答：篮球的单价为 ${x}$ 元，足球的单价为 ${y}$ 元。", "作答", 1),
    )
    return SolutionDraft(stem, steps, difficulty=0.3, extra_kps=("加减消元法",))


@register("列二元一次方程组解应用题")
def _chickens_rabbits(rng: np.random.Generator) -> Draft:
    chickens, rabbits = randint(rng, 5, 30), randint(rng, 3, 20)
    heads, feet = chickens + rabbits, 2 * chickens + 4 * rabbits
    question = f"今有鸡兔同笼，上有 ${heads}$ 头，下有 ${feet}$ 足，则笼中鸡和兔的只数分别是"
    answer = f"${chickens}$ 只，${rabbits}$ 只"
    wrong = [
        f"${rabbits}$ 只，${chickens}$ 只",
        f"${chickens + 1}$ 只，${rabbits - 1}$ 只",
        f"${chickens - 2}$ 只，${rabbits + 2}$ 只",
    ]
    return value_draft(rng, question, answer, wrong, difficulty=0.2)


@register("方案与配套问题")
def _bolts_nuts(rng: np.random.Generator) -> Draft:
    while True:
        p, q, x = randint(rng, 8, 20), randint(rng, 12, 30), randint(rng, 5, 30)
        if (2 * p * x) % q == 0:
            n = x + 2 * p * x // q
            if n <= 60:
                break
    stem = (
        f"某车间有 ${n}$ 名工人，每人每天可以生产 ${p}$ 个螺栓或 ${q}$ 个螺母，$1$ 个螺栓需要配 $2"
        "$ 个螺母。"
        "为使每天生产的螺栓和螺母刚好配套，应安排多少名工人生产螺栓，多少名工人生产螺母？"
    )
    steps = (
        Step("设安排 $x$ 名工人生产螺栓，$y$ 名工人生产螺母。", "设未知数", 1),
        Step(
            f"根据题意，得 ${system(f'x+y={n}', TWICE + f'{p}x={q}y')}$",
            "正确列出方程组（配套关系）",
            3,
        ),
        Step(f"解得 {pair(x, n - x)}", "正确解方程组", 2),
        Step(f"答：应安排 ${x}$ 名工人生产螺栓，${n - x}$ 名工人生产螺母。", "作答", 1),
    )
    return SolutionDraft(stem, steps, difficulty=0.6)


@register("方案与配套问题")
def _rental_plan(rng: np.random.Generator) -> Draft:
    big, small = randint(rng, 40, 50), randint(rng, 25, 35)
    a, b = randint(rng, 2, 6), randint(rng, 1, 5)
    people = a * big + b * small
    stem = (
        f"某校组织 ${people}$ 名师生外出研学，租用甲、乙两种客车，甲种客车每辆可坐 ${big}$ 人，"
        f"乙种客车每辆可坐 ${small}$ 人。若租用两种客车共 ${a + b}$ 辆，恰好坐满，求两种客车各租多"
        "少辆；"
        f"若甲种客车每辆租金 ${big * 20}$ 元，乙种客车每辆租金 ${small * 22}$ 元，求此方案的总租金"
        "。"
    )
    rent = a * big * 20 + b * small * 22
    steps = (
        Step("设租用甲种客车 $x$ 辆，乙种客车 $y$ 辆。", "设未知数", 1),
        Step(
            f"根据题意，得 ${system(f'x+y={a + b}', f'{big}x+{small}y={people}')}$",
            "正确列出方程组",
            3,
        ),
        Step(f"解得 {pair(a, b)}", "正确解方程组", 3),
        Step(
            f"总租金为 ${big * 20}\\times{a}+{small * 22}\\times{b}={rent}$（元）。",
            "正确计算总租金",
            2,
        ),
        Step(f"答：租用甲种客车 ${a}$ 辆、乙种客车 ${b}$ 辆，总租金为 ${rent}$ 元。", "作答", 1),
    )
    return SolutionDraft(stem, steps, difficulty=0.9, extra_kps=("加减消元法",))


@register("不等式及其解集")
def _which_is_solution(rng: np.random.Generator) -> Draft:
    a, t = randint(rng, 2, 5), randint(rng, -3, 6)
    b = randint(rng, -9, 9, nonzero=True)
    question = f"下列数中，是不等式 ${poly([(a, 'x'), (b, '')])}>{a * t + b}$ 的解的是"
    wrong = [mnum(t), mnum(t - 1), mnum(t - 3)]
    return value_draft(rng, question, mnum(t + 2), wrong, difficulty=-0.6)


@register("不等式的性质")
def _inequality_rules(rng: np.random.Generator) -> Draft:
    k = randint(rng, 2, 9)
    return StatementDraft(
        "已知 $a>b$，下列不等式中",
        (
            f"$a+{k}>b+{k}$",
            f"$-{k}a<-{k}b$",
            f"$\\frac{{a}}{{{k}}}>\\frac{{b}}{{{k}}}$",
            f"$a-{k}>b-{k}$",
        ),
        (f"$-{k}a>-{k}b$", "$ac>bc$", f"${k}-a>{k}-b$", "$ac^{2}>bc^{2}$"),
        ask_true="一定成立的是",
        ask_false="不一定成立的是",
        claim="一定成立（已知 $a>b$）",
        difficulty=-0.3,
    )


def _inequality(rng: np.random.Generator) -> tuple[str, int, bool]:
    """A linear inequality ax+b ≤ cx+d, its boundary t and whether the answer is x ≥ t."""
    t = randint(rng, -5, 6)
    a, c = sample(rng, [v for v in range(-5, 6) if v], 2)
    b = randint(rng, -9, 9)
    d = (a - c) * t + b
    text = f"{poly([(a, 'x'), (b, '')])}\\leq {poly([(c, 'x'), (d, '')])}"
    return text, t, a - c < 0


@register("解一元一次不等式")
def _solve_inequality(rng: np.random.Generator) -> Draft:
    text, t, flips = _inequality(rng)
    answer, opposite = (
        (f"$x\\geq {t}$", f"$x\\leq {t}$") if flips else (f"$x\\leq {t}$", f"$x\\geq {t}$")
    )
    wrong = [
        opposite,
        answer.replace(str(t), str(-t)) if t else "$x\\leq 1$",
        opposite.replace(str(t), str(-t)) if t else "$x\\geq 1$",
    ]
    return value_draft(rng, f"不等式 ${text}$ 的解集是", answer, wrong, difficulty=0.1)


@register("一元一次不等式的应用")
def _quiz_score(rng: np.random.Generator) -> Draft:
    n, a, b = pick(rng, (20, 25, 30)), randint(rng, 4, 6), randint(rng, 1, 2)
    target = randint(rng, n * a // 2, n * a * 4 // 5)
    need = ceil(Fraction(target + b * n, a + b))
    stem = (
        f"某次知识竞赛共有 ${n}$ 道题，答对一题得 ${a}$ 分，答错或不答一题扣 ${b}$ 分。小明要使得"
        f"分不低于 ${target}$ 分，"
        "他至少要答对几道题？"
    )
    if rng.random() < 0.5:
        return value_draft(
            rng,
            stem.replace("他至少要答对几道题？", "他至少要答对的题数是"),
            mnum(need),
            [mnum(need - 1), mnum(need + 1)],
            difficulty=0.4,
            numeric=need,
        )
    steps = (
        Step(
            "设小明答对 $x$ 道题，则答错或不答 $(" + f"{n}-x)$ 道题。", "设未知数并表示答错题数", 1
        ),
        Step(f"根据题意，得 ${a}x-{b}({n}-x)\\geq {target}$", "正确列出不等式", 2),
        Step(f"解得 $x\\geq {mdec(Fraction(target + b * n, a + b))[1:-1]}$", "正确解不等式", 2),
        Step(
            f"因为 $x$ 为整数，所以 $x$ 的最小值为 ${need}$。答：他至少要答对 ${need}$ 道题。",
            "取整数并作答",
            1,
        ),
    )
    return SolutionDraft(stem, steps, difficulty=0.5)


def _system_bounds(rng: np.random.Generator) -> tuple[str, int, int]:
    low, high = sorted(sample(rng, list(range(-4, 8)), 2))
    a, b = randint(rng, 2, 4), randint(rng, 1, 6)
    first = f"x+{b}>{low + b}"
    second = f"{a}x-{b}\\leq {a * high - b}"
    return system(first, second), low, high


@register("解一元一次不等式组")
def _solve_system(rng: np.random.Generator) -> Draft:
    text, low, high = _system_bounds(rng)
    answer = f"${low}<x\\leq {high}$"
    wrong = [f"${low}\\leq x<{high}$", f"$x>{low}$", f"$x\\leq {high}$"]
    if rng.random() < 0.5:
        return value_draft(rng, f"不等式组 ${text}$ 的解集是", answer, wrong, difficulty=0.0)
    steps = (
        Step(f"解不等式①，得 $x>{low}$", "解出不等式①", 2),
        Step(f"解不等式②，得 $x\\leq {high}$", "解出不等式②", 2),
        Step(f"所以不等式组的解集为 {answer}", "正确确定公共部分", 2),
    )
    first, second = text.removeprefix("\\begin{cases}").removesuffix("\\end{cases}").split("\\\\")
    return SolutionDraft(
        f"解不等式组：${system(first + '&①', second + '&②')}$", steps, difficulty=0.2
    )


@register("不等式组的整数解与应用")
def _integer_solutions(rng: np.random.Generator) -> Draft:
    text, low, high = _system_bounds(rng)
    integers = list(range(floor(low) + 1, high + 1))
    if rng.random() < 0.5:
        question = f"不等式组 ${text}$ 的整数解的个数是"
        return value_draft(
            rng,
            question,
            mnum(len(integers)),
            [mnum(len(integers) + 1), mnum(high - low + 1)],
            difficulty=0.3,
            numeric=len(integers),
        )
    question = f"不等式组 ${text}$ 的所有整数解的和是"
    total = sum(integers)
    return value_draft(
        rng,
        question,
        mnum(total),
        [mnum(total - high), mnum(total + low)],
        difficulty=0.5,
        numeric=total,
    )
