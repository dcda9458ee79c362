"""Templates for 七下 第六章 实数, 第七章 平面直角坐标系."""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from yincai.demo.itembank.drafts import (
    Draft,
    Registry,
    SolutionDraft,
    StatementDraft,
    Step,
    math,
    mnum,
    num,
    pick,
    randint,
    registrar,
    sample,
    value_draft,
)

TEMPLATES: Registry = {}
register = registrar(TEMPLATES)


def point(x: int, y: int) -> str:
    return f"$({x},{y})$"


@register("算术平方根")
def _arithmetic_root(rng: np.random.Generator) -> Draft:
    k = randint(rng, 2, 5)
    if rng.random() < 0.5:
        question = f"$\\sqrt{{{k**4}}}$ 的算术平方根是"
        wrong = [mnum(k * k), f"$\\pm{k}$", f"$\\pm{k * k}$"]
        return value_draft(rng, question, mnum(k), wrong, difficulty=0.2)
    n = randint(rng, 4, 20)
    question = f"$\\sqrt{{{n * n}}}$ 的值是"
    return value_draft(
        rng, question, mnum(n), [f"$\\pm{n}$", mnum(-n), mnum(n * n // 2)], difficulty=-1.2
    )


@register("平方根")
def _square_roots(rng: np.random.Generator) -> Draft:
    p, q = sample(rng, [1, 2, 3, 4, 5, 7, 9], 2)
    value = Fraction(p * p, q * q)
    root = Fraction(p, q)
    question = f"{mnum(value)} 的平方根是"
    wrong = [mnum(root), mnum(-root), f"$\\pm{num(value / 2)}$"]
    return value_draft(rng, question, f"$\\pm{num(root)}$", wrong, difficulty=-0.5)


@register("平方根")
def _square_root_facts(rng: np.random.Generator) -> Draft:
    k = randint(rng, 2, 9)
    return StatementDraft(
        "下列说法中",
        (
            f"$-{k * k}$ 没有平方根",
            "$0$ 的平方根是 $0$",
            "一个正数有两个平方根，它们互为相反数",
            f"$(-{k})^{{2}}$ 的平方根是 $\\pm{k}$",
        ),
        (
            f"${k * k}$ 的平方根是 ${k}$",
            f"$(-{k})^{{2}}$ 的平方根是 $-{k}$",
            "负数的平方根是负数",
            f"$\\sqrt{{{k * k}}}=\\pm{k}$",
        ),
        difficulty=-0.4,
    )


@register("立方根的概念")
def _cube_root_facts(rng: np.random.Generator) -> Draft:
    k = randint(rng, 2, 5)
    return StatementDraft(
        "下列说法中",
        (
            f"$-{k**3}$ 的立方根是 $-{k}$",
            "立方根等于它本身的数是 $0$ 和 $\\pm1$",
            "$\\sqrt[3]{-a}=-\\sqrt[3]{a}$",
            "任何数都有立方根",
        ),
        (
            "负数没有立方根",
            f"${k**3}$ 的立方根是 $\\pm{k}$",
            "一个数的立方根一定比这个数小",
            "立方根等于它本身的数只有 $0$",
        ),
        difficulty=-0.5,
    )


@register("求一个数的立方根")
def _cube_root(rng: np.random.Generator) -> Draft:
    p, q = sample(rng, [1, 1, 2, 3, 4, 5], 2)
    root = Fraction(-p, q)
    value = root**3
    question = f"$\\sqrt[3]{{{num(value)}}}$ 的值是"
    wrong = [mnum(-root), f"$\\pm{num(abs(root))}$", mnum(value / 3)]
    return value_draft(rng, question, mnum(root), wrong, difficulty=-0.4)


_NUMBERS = (  # LaTeX, is irrational
    ("\\pi", True),
    ("\\sqrt{2}", True),
    ("\\sqrt{9}", False),
    ("\\frac{22}{7}", False),
    ("0.\\dot{3}", False),
    ("3.1415", False),
    ("\\sqrt[3]{8}", False),
    ("\\sqrt[3]{4}", True),
    ("\\frac{\\pi}{2}", True),
    ("-\\sqrt{5}", True),
    ("0", False),
    ("-\\frac{1}{3}", False),
    ("0.1010010001\\cdots", True),
)


@register("无理数与实数的概念")
def _count_irrational(rng: np.random.Generator) -> Draft:
    shown = sample(rng, _NUMBERS, 6)
    count = sum(1 for _, irrational in shown if irrational)
    note = (
        "（相邻两个 $1$ 之间 $0$ 的个数逐次加 $1$）" if any("cdots" in t for t, _ in shown) else ""
    )
    question = f"在实数 {'，'.join(math(t) for t, _ in shown)}{note} 中，无理数的个数是"
    wrong = [mnum(count + 1), mnum(max(count - 1, 0)), mnum(count + 2)]
    return value_draft(rng, question, mnum(count), wrong, difficulty=-0.2, numeric=count)


@register("实数的运算与大小比较")
def _estimate_root(rng: np.random.Generator) -> Draft:
    k = randint(rng, 2, 9)
    n = randint(rng, k * k + 1, (k + 1) ** 2 - 1)
    question = f"估计 $\\sqrt{{{n}}}$ 的值"
    answer = f"在 ${k}$ 和 ${k + 1}$ 之间"
    wrong = [
        f"在 ${k - 1}$ 和 ${k}$ 之间",
        f"在 ${k + 1}$ 和 ${k + 2}$ 之间",
        f"在 ${n // 2}$ 和 ${n // 2 + 1}$ 之间",
    ]
    return value_draft(rng, question, answer, wrong, difficulty=-0.3)


@register("实数的运算与大小比较")
def _real_arithmetic(rng: np.random.Generator) -> Draft:
    a, b, c = randint(rng, 2, 9), randint(rng, 2, 4), pick(rng, (2, 3, 5, 6, 7))
    k = randint(rng, 1, 2) if c > 4 else 1
    k = k if k * k < c else 1
    stem = f"计算：$\\sqrt{{{a * a}}}+\\sqrt[3]{{-{b**3}}}-|{k}-\\sqrt{{{c}}}|$。"
    total = f"{a - b + k}-\\sqrt{{{c}}}"
    steps = (
        Step(f"原式 $={a}+(-{b})-(\\sqrt{{{c}}}-{k})$", "正确化简算术平方根和立方根", 2),
        Step(
            f"$={a}-{b}-\\sqrt{{{c}}}+{k}$",
            "正确去掉绝对值符号（判断 $\\sqrt{" + str(c) + "}>" + str(k) + "$）",
            2,
        ),
        Step(f"$={total}$", "结果正确", 2),
    )
    return SolutionDraft(stem, steps, difficulty=0.3, extra_kps=("算术平方根", "求一个数的立方根"))


@register("有序数对")
def _ordered_pair(rng: np.random.Generator) -> Draft:
    a, b = sample(rng, list(range(2, 16)), 2)
    question = (
        f"如果用有序数对 $({a},{b})$ 表示电影票上“{a} 排 {b} 号”，那么“{b} 排 {a} 号”可以表示为"
    )
    wrong = [point(a, b), point(b, b), point(a, a)]
    return value_draft(rng, question, point(b, a), wrong, difficulty=-1.6)


@register("平面直角坐标系与点的坐标")
def _distance_to_axis(rng: np.random.Generator) -> Draft:
    x, y = sample(rng, [v for v in range(-9, 10) if v], 2)
    axis, value, other = pick(rng, (("x", abs(y), abs(x)), ("y", abs(x), abs(y))))
    question = f"点 $P({x},{y})$ 到 ${axis}$ 轴的距离是"
    wrong = [mnum(other), mnum(-value), mnum(abs(x) + abs(y))]
    return value_draft(rng, question, mnum(value), wrong, difficulty=-0.5)


_QUADRANTS = ("第一象限", "第二象限", "第三象限", "第四象限")


@register("各象限内点的坐标特征")
def _quadrant(rng: np.random.Generator) -> Draft:
    x, y = randint(rng, -9, 9, nonzero=True), randint(rng, -9, 9, nonzero=True)
    shown_y = str(y)
    if rng.random() < 0.5:
        y = randint(rng, 1, 5)
        shown_y = f"m^{{2}}+{y}"  # positive whatever m is
    index = {(True, True): 0, (False, True): 1, (False, False): 2, (True, False): 3}[(x > 0, y > 0)]
    question = f"在平面直角坐标系中，点 $P({x},{shown_y})$ 所在的象限是"
    answer = _QUADRANTS[index]
    return value_draft(
        rng, question, answer, [q for q in _QUADRANTS if q != answer], difficulty=-0.9
    )


@register("各象限内点的坐标特征")
def _on_axis(rng: np.random.Generator) -> Draft:
    m, k, j = randint(rng, -5, 5, nonzero=True), randint(rng, 1, 5), randint(rng, 2, 3)
    question = f"若点 $P(m-{k},{j}m{-j * m:+d})$ 在 $x$ 轴上，则点 $P$ 的坐标是"
    wrong = [point(0, m - k), point(m + k, 0), point(-m - k, 0), point(k - m, 0), point(m, 0)]
    return value_draft(rng, question, point(m - k, 0), wrong, difficulty=0.2)


_DIRECTIONS = (("东", "北", 1, 1), ("西", "北", -1, 1), ("西", "南", -1, -1), ("东", "南", 1, -1))


@register("用坐标表示地理位置")
def _map_position(rng: np.random.Generator) -> Draft:
    ew, ns, sx, sy = pick(rng, _DIRECTIONS)
    a, b = sample(rng, list(range(100, 900, 50)), 2)
    question = (
        "以学校为原点，正东方向为 $x$ 轴正方向，正北方向为 $y$ 轴正方向建立平面直角坐标系（单位长"
        "度为 $1$ 米），"
        f"小明家位于学校正{ew}方向 ${a}$ 米再往正{ns}方向 ${b}$ 米处，则小明家的坐标是"
    )
    wrong = [point(sy * b, sx * a), point(-sx * a, sy * b), point(sx * a, -sy * b)]
    return value_draft(rng, question, point(sx * a, sy * b), wrong, difficulty=-0.6)


@register("用坐标表示平移")
def _translate_point(rng: np.random.Generator) -> Draft:
    x, y = randint(rng, -6, 6), randint(rng, -6, 6)
    m, n = randint(rng, 1, 5), randint(rng, 1, 5)
    horizontal, sx = pick(rng, (("左", -1), ("右", 1)))
    vertical, sy = pick(rng, (("上", 1), ("下", -1)))
    question = (
        f"将点 $A({x},{y})$ 向{horizontal}平移 ${m}$ 个单位长度，再向{vertical}平移 ${n}$ 个单位长"
        "度，"
        "得到点 $A'$，则点 $A'$ 的坐标是"
    )
    answer = point(x + sx * m, y + sy * n)
    wrong = [
        point(x - sx * m, y + sy * n),
        point(x + sx * m, y - sy * n),
        point(x + sy * n, y + sx * m),
    ]
    return value_draft(rng, question, answer, wrong, difficulty=-0.5)
