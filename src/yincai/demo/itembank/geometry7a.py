"""Templates for 七上 第四章 几何图形初步."""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from yincai.demo.itembank.drafts import (
    Draft,
    Registry,
    fixed_registrar,
    mdec,
    mnum,
    pick,
    randint,
    registrar,
    value_draft,
)

TEMPLATES: Registry = {}
register = registrar(TEMPLATES)
fixed = fixed_registrar(TEMPLATES)


def degrees(value: Fraction | int) -> str:
    """An angle in degrees as inline maths, halves written as decimals: ``$112.5^{\\circ}$``."""
    return mdec(value)[:-1] + "^{\\circ}$"


def dms(total_minutes: int) -> str:
    """An angle given in minutes as ``$a^{\\circ}b'$``."""
    d, m = divmod(total_minutes, 60)
    return f"${d}^{{\\circ}}{m}'$" if m else f"${d}^{{\\circ}}$"


@register("立体图形与平面图形")
def _prism_count(rng: np.random.Generator) -> Draft:
    n = randint(rng, 3, 8)
    kind, value, wrong = pick(
        rng,
        (
            ("面", n + 2, (n, 2 * n, 3 * n)),
            ("棱", 3 * n, (2 * n, n + 2, 3 * n + 2)),
            ("顶点", 2 * n, (n, 3 * n, n + 2)),
        ),
    )
    question = (
        f"一个 ${n}$ 棱柱共有{kind}的个数是" if kind != "棱" else f"一个 ${n}$ 棱柱共有棱的条数是"
    )
    return value_draft(
        rng, question, mnum(value), [mnum(w) for w in wrong], difficulty=-0.6, numeric=value
    )


fixed("solid_or_plane")


@register("立体图形的展开图")
def _cylinder_net(rng: np.random.Generator) -> Draft:
    r, h = randint(rng, 1, 6), randint(rng, 2, 10)
    question = (
        f"一个圆柱的底面半径为 ${r}$ cm，高为 ${h}$ cm，将它的侧面沿一条母线剪开展开成一个长方形，"
        "这个长方形的面积是"
    )
    answer = f"${2 * r * h}\\pi$ cm²"
    wrong = [f"${r * h}\\pi$ cm²", f"${r * r * h}\\pi$ cm²", f"${2 * r * h + 2 * r * r}\\pi$ cm²"]
    return value_draft(
        rng,
        question,
        answer,
        wrong,
        difficulty=-0.2,
        numeric=2 * r * h,
        step=2,
        fmt=lambda v: f"${v}\\pi$ cm²",
    )


fixed("nets")


fixed("motion")


@register("直线、射线、线段的概念")
def _lines_through_points(rng: np.random.Generator) -> Draft:
    n = randint(rng, 4, 8)
    question = (
        f"平面内有 ${n}$ 个点，其中任意三点都不在同一条直线上，过其中任意两点画直线，一共"
        "可以画直线的条数是"
    )
    value = n * (n - 1) // 2
    wrong = [mnum(n * (n - 1)), mnum(n), mnum(value + n)]
    return value_draft(rng, question, mnum(value), wrong, difficulty=0.0, numeric=value)


fixed("line_facts")


@register("线段的比较与中点")
def _midpoints(rng: np.random.Generator) -> Draft:
    ac, bc = randint(rng, 2, 12), randint(rng, 2, 12)
    if rng.random() < 0.5:
        question = (
            f"点 $C$ 在线段 $AB$ 上，$AC={ac}$ cm，$BC={bc}$ cm，点 $M$、$N$ 分别是 $AC$、$BC$ 的"
            "中点，"
            "则线段 $MN$ 的长是"
        )
        value = Fraction(ac + bc, 2)
        wrong = [mdec(ac + bc), mdec(Fraction(abs(ac - bc), 2)), mdec(Fraction(ac, 2))]
    else:
        question = (
            f"点 $C$ 在线段 $AB$ 上，$AC={ac}$ cm，$BC={bc}$ cm，点 $M$ 是线段 $AB$ 的中点，"
            "则线段 $MC$ 的长是"
        )
        value = Fraction(abs(ac - bc), 2)
        wrong = [mdec(Fraction(ac + bc, 2)), mdec(abs(ac - bc)), mdec(Fraction(min(ac, bc), 2))]
    return value_draft(
        rng,
        question,
        mdec(value)[:-1] + "$ cm",
        [w[:-1] + "$ cm" for w in wrong],
        difficulty=0.0,
        numeric=value,
        fmt=lambda v: mdec(v)[:-1] + "$ cm",
    )


@register("角的度量与换算")
def _degree_minutes(rng: np.random.Generator) -> Draft:
    d, quarter = randint(rng, 10, 80), randint(rng, 1, 3)
    decimal_text = f"{d}.{quarter * 25}".rstrip("0")
    question = f"${decimal_text}^{{\\circ}}$ 化成度、分的形式是"
    answer = dms(d * 60 + quarter * 15)
    wrong = [
        dms(d * 60 + quarter * 25),
        f"${d}^{{\\circ}}{quarter * 15 + 10}'$",
        dms(d * 60 + quarter * 25 // 10),
        dms((d + 1) * 60 + quarter * 15),
    ]
    return value_draft(rng, question, answer, wrong, difficulty=-0.4)


@register("角的度量与换算")
def _add_angles(rng: np.random.Generator) -> Draft:
    a, b = (
        randint(rng, 20, 60) * 60 + randint(rng, 20, 59),
        randint(rng, 10, 50) * 60 + randint(rng, 20, 59),
    )
    question = f"计算：{dms(a)[:-1]}+{dms(b)[1:]} 的结果是".replace("$+$", "+")
    total = a + b
    wrong = [
        f"${(a + b) // 60 - 1}^{{\\circ}}{(a + b) % 60 + 60}'$",
        dms(total + 60),
        dms(total - 40),
    ]
    return value_draft(rng, question, dms(total), wrong, difficulty=-0.2)


@register("角的比较与运算")
def _clock(rng: np.random.Generator) -> Draft:
    h, m = randint(rng, 1, 11), pick(rng, (0, 10, 20, 30, 40, 50))
    angle = abs(Fraction(60 * h - 11 * m, 2))
    angle = min(angle, 360 - angle)
    question = f"时钟显示 ${h}$ 点 ${m:02d}$ 分时，时针与分针所夹的角（小于平角）的度数是"
    naive = abs(30 * h - 6 * m)
    wrong = [degrees(min(naive, 360 - naive)), degrees(angle + 15), degrees(abs(180 - angle))]
    return value_draft(
        rng, question, degrees(angle), wrong, difficulty=0.4, numeric=angle, step=10, fmt=degrees
    )


@register("角的比较与运算")
def _bisector(rng: np.random.Generator) -> Draft:
    aob, boc = randint(rng, 50, 150), randint(rng, 10, 40)
    question = (
        f"已知 $\\angle AOB={aob}^{{\\circ}}$，$\\angle BOC={boc}^{{\\circ}}$，射线 $OC$ 在 $\\ang"
        "le AOB$ 的内部，"
        "$OD$ 平分 $\\angle AOC$，则 $\\angle AOD$ 的度数是"
    )
    value = Fraction(aob - boc, 2)
    wrong = [degrees(Fraction(aob + boc, 2)), degrees(aob - boc), degrees(Fraction(aob, 2))]
    return value_draft(rng, question, degrees(value), wrong, difficulty=0.1)


@register("余角和补角")
def _complement(rng: np.random.Generator) -> Draft:
    alpha = randint(rng, 20, 80) * 60 + randint(rng, 1, 59)
    kind, total = pick(rng, (("余角", 90 * 60), ("补角", 180 * 60)))
    other = 180 * 60 if total == 90 * 60 else 90 * 60
    question = f"已知 $\\angle\\alpha={dms(alpha)[1:-1]}$，则 $\\angle\\alpha$ 的{kind}是"
    wrong = [dms(other - alpha), dms(total - alpha - 40), dms(total - alpha + 60)]
    return value_draft(rng, question, dms(total - alpha), wrong, difficulty=-0.3)


@register("余角和补角")
def _complement_ratio(rng: np.random.Generator) -> Draft:
    k = pick(rng, (3, 4, 5, 7, 10))
    value = Fraction(90 * k - 180, k - 1)
    question = f"一个角的补角是它的余角的 ${k}$ 倍，则这个角的度数是"
    wrong = [degrees(90 - value), degrees(value / 2), degrees(180 - value)]
    return value_draft(rng, question, degrees(value), wrong, difficulty=0.5)
