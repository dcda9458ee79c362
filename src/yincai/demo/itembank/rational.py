"""Templates for 七上 第一章 有理数."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
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
    paren,
    pick,
    randint,
    registrar,
    sample,
    value_draft,
)

TIMES = "\\times"
TEMPLATES: Registry = {}
register = registrar(TEMPLATES)

_QUANTITIES = (  # positive meaning, opposite meaning, unit
    ("向东走", "向西走", "米"),
    ("收入", "支出", "元"),
    ("盈利", "亏损", "元"),
    ("水位上升", "水位下降", "厘米"),
    ("存入", "取出", "元"),
)


@register("正数和负数的概念")
def _count_negatives(rng: np.random.Generator) -> Draft:
    pool = [
        *(str(randint(rng, -9, 9, nonzero=True)) for _ in range(3)),
        "0",
        f"-\\frac{{1}}{{{randint(rng, 2, 9)}}}",
        f"{randint(rng, 1, 9)}.{randint(rng, 1, 9)}",
        f"-{randint(rng, 1, 9)}.{randint(rng, 1, 9)}",
        f"-(-{randint(rng, 1, 9)})",
    ]
    shown = sample(rng, pool, 6)
    n_negative = sum(1 for text in shown if text.startswith("-") and not text.startswith("-(-"))
    question = f"在 {'，'.join(math(t) for t in shown)} 中，负数的个数是"
    wrong = [mnum(n_negative + 1), mnum(max(n_negative - 1, 0)), mnum(n_negative + 2)]
    return value_draft(rng, question, mnum(n_negative), wrong, difficulty=-1.2, numeric=n_negative)


@register("正数和负数的概念")
def _sign_statements(rng: np.random.Generator) -> Draft:
    k = randint(rng, 2, 9)
    return StatementDraft(
        "下列说法中",
        ("$0$ 既不是正数，也不是负数", "正数都大于 $0$", f"${-k}$ 是负数", "负数都小于 $0$"),
        (
            "$0$ 是最小的正数",
            f"带“$-$”号的数都是负数，如 $-(-{k})$",
            "$-a$ 一定是负数",
            "一个数不是正数就是负数",
        ),
        difficulty=-1.0,
    )


@register("用正负数表示相反意义的量")
def _opposite_quantity(rng: np.random.Generator) -> Draft:
    positive, negative, unit = pick(rng, _QUANTITIES)
    a, b = sample(rng, list(range(2, 60)), 2)
    question = f"如果{positive} ${a}$ {unit}记作 $+{a}$ {unit}，那么{negative} ${b}$ {unit}记作"
    wrong = [f"$+{b}$ {unit}", f"$-{a}$ {unit}", f"$+{a}$ {unit}"]
    return value_draft(rng, question, f"$-{b}$ {unit}", wrong, difficulty=-1.8)


def _rational_pool(rng: np.random.Generator) -> list[tuple[str, Fraction]]:
    d = randint(rng, 2, 9)
    return [
        (str(randint(rng, 1, 9)), Fraction(0)),
        (str(-randint(rng, 1, 9)), Fraction(0)),
        ("0", Fraction(0)),
        (f"-\\frac{{1}}{{{d}}}", Fraction(-1, d)),
        (f"{randint(rng, 1, 9)}.{randint(rng, 1, 9)}", Fraction(1, 10)),
        (f"-{randint(rng, 1, 9)}.{randint(rng, 1, 9)}", Fraction(-1, 10)),
        (f"\\frac{{{d + 1}}}{{{d}}}", Fraction(d + 1, d)),
        (str(randint(rng, 10, 99)), Fraction(0)),
    ]


@register("有理数的概念与分类")
def _classify(rng: np.random.Generator) -> Draft:
    shown = sample(rng, _rational_pool(rng), 6)
    kind = pick(rng, ("整数", "分数", "非负数"))
    if kind == "整数":
        count = sum(1 for _, fraction_part in shown if fraction_part == 0)
    elif kind == "分数":
        count = sum(1 for _, fraction_part in shown if fraction_part != 0)
    else:
        count = sum(1 for text, _ in shown if not text.startswith("-"))
    question = f"在 {'，'.join(math(t) for t, _ in shown)} 中，{kind}的个数是"
    wrong = [mnum(count + 1), mnum(max(count - 1, 0)), mnum(count + 2)]
    return value_draft(rng, question, mnum(count), wrong, difficulty=-0.8, numeric=count)


@register("数轴")
def _number_line_move(rng: np.random.Generator) -> Draft:
    a, k = randint(rng, -8, 8, nonzero=True), randint(rng, 2, 9)
    direction, sign = pick(rng, (("右", 1), ("左", -1)))
    result = a + sign * k
    question = (
        f"数轴上点 $A$ 表示的数是 ${a}$，将点 $A$ 向{direction}移动 ${k}$ 个单位长度后，所"
        "得点表示的数是"
    )
    wrong = [mnum(a - sign * k), mnum(-result), mnum(sign * k - a)]
    return value_draft(rng, question, mnum(result), wrong, difficulty=-0.6, numeric=result)


@register("数轴")
def _number_line_distance(rng: np.random.Generator) -> Draft:
    a, d = randint(rng, -6, 6, nonzero=True), randint(rng, 2, 7)
    question = f"数轴上与表示 ${a}$ 的点距离为 ${d}$ 个单位长度的点所表示的数是"
    answer = f"${a - d}$ 或 ${a + d}$"
    wrong = [mnum(a + d), mnum(a - d), f"${-a - d}$ 或 ${d - a}$"]
    return value_draft(rng, question, answer, wrong, difficulty=-0.2)


@register("相反数")
def _opposite(rng: np.random.Generator) -> Draft:
    value = Fraction(randint(rng, -9, 9, nonzero=True), pick(rng, (1, 1, 2, 3, 5)))
    if abs(value) == 1:
        value *= 3
    wrong = [mnum(value), mnum(1 / value), mnum(-1 / value)]
    return value_draft(rng, f"{mnum(value)} 的相反数是", mnum(-value), wrong, difficulty=-1.6)


@register("绝对值")
def _absolute(rng: np.random.Generator) -> Draft:
    a = randint(rng, 2, 12)
    if rng.random() < 0.5:
        wrong = [mnum(a), mnum(-a), f"$\\pm\\frac{{1}}{{{a}}}$"]
        return value_draft(
            rng, f"若 $|x|={a}$，则 $x$ 的值是", f"$\\pm{a}$", wrong, difficulty=-0.7
        )
    wrong = [mnum(a), f"$\\pm{a}$", mnum(Fraction(1, a))]
    return value_draft(rng, f"$-|-{a}|$ 的值是", mnum(-a), wrong, difficulty=-0.9)


def _signed_pair(rng: np.random.Generator) -> tuple[int, int]:
    while True:
        p, q = randint(rng, -20, 20, nonzero=True), randint(rng, -20, 20, nonzero=True)
        if p < 0 or q < 0:
            return p, q


@register("有理数的加法法则")
def _add(rng: np.random.Generator) -> Draft:
    p, q = _signed_pair(rng)
    wrong = [mnum(-(p + q)), mnum(p - q), mnum(q - p), mnum(abs(p) + abs(q))]
    question = f"计算 ${paren(p)}+{paren(q)}$ 的结果是"
    return value_draft(rng, question, mnum(p + q), wrong, difficulty=-1.3, numeric=p + q)


def _grouping_numbers(rng: np.random.Generator) -> list[int]:
    a, b = randint(rng, 11, 39), randint(rng, 11, 39)
    ra, rb = pick(rng, (10, 20, 30, 40)) - a, pick(rng, (10, 20, 30, 40)) - b
    return [int(v) for v in sample(rng, [a, -b, ra, -rb], 4)]


@register("有理数的加法运算律")
def _add_laws(rng: np.random.Generator) -> Draft:
    values = _grouping_numbers(rng)
    total = sum(values)
    expression = "+".join(paren(v) for v in values)
    if rng.random() < 0.5:
        question = f"计算 ${expression}$ 的结果是"
        wrong = [mnum(-total), mnum(total + 2 * values[0])]
        return value_draft(rng, question, mnum(total), wrong, difficulty=-0.5, numeric=total)
    positive = [v for v in values if v > 0]
    negative = [v for v in values if v < 0]
    grouped = f"[{'+'.join(paren(v) for v in positive)}]+[{'+'.join(paren(v) for v in negative)}]"
    steps = (
        Step(f"原式 $={grouped}$", "运用加法交换律、结合律把同号的数结合", 2),
        Step(f"$={paren(sum(positive))}+{paren(sum(negative))}$", "分别相加正确", 2),
        Step(f"$={num(total)}$", "结果正确", 2),
    )
    stem = f"用简便方法计算：${expression}$。"
    return SolutionDraft(stem, steps, difficulty=-0.3, extra_kps=("有理数的加法法则",))


@register("有理数的减法法则")
def _subtract(rng: np.random.Generator) -> Draft:
    p, q = randint(rng, -20, 20, nonzero=True), randint(rng, -20, 20, nonzero=True)
    wrong = [mnum(p + q), mnum(q - p), mnum(-p - q)]
    question = f"计算 ${paren(p)}-{paren(q)}$ 的结果是"
    return value_draft(rng, question, mnum(p - q), wrong, difficulty=-1.0, numeric=p - q)


@register("有理数的减法法则")
def _temperature(rng: np.random.Generator) -> Draft:
    high, low = randint(rng, 1, 12), -randint(rng, 1, 15)
    question = (
        f"某地某天的最高气温是 ${high}^{{\\circ}}\\mathrm{{C}}$，最低气温是 ${low}^{{\\cir"
        f"c}}\\mathrm{{C}}$，这天的温差是"
    )
    answer = f"${high - low}^{{\\circ}}\\mathrm{{C}}$"
    wrong = [
        f"${v}^{{\\circ}}\\mathrm{{C}}$" for v in (high + low, -(high - low), abs(high + low) + 1)
    ]
    return value_draft(rng, question, answer, wrong, difficulty=-1.1)


def _mixed_terms(rng: np.random.Generator) -> tuple[str, int, list[int]]:
    values = [randint(rng, -15, 15, nonzero=True) for _ in range(4)]
    signs = [pick(rng, ("+", "-")) for _ in range(3)]
    expression = paren(values[0]) + "".join(
        s + paren(v) for s, v in zip(signs, values[1:], strict=True)
    )
    addends = [values[0]] + [v if s == "+" else -v for s, v in zip(signs, values[1:], strict=True)]
    return expression, sum(addends), addends


@register("有理数的加减混合运算")
def _mixed_add_subtract(rng: np.random.Generator) -> Draft:
    expression, total, addends = _mixed_terms(rng)
    if rng.random() < 0.5:
        wrong = [mnum(-total), mnum(total - 2 * addends[1]), mnum(total - 2 * addends[2])]
        question = f"计算 ${expression}$ 的结果是"
        return value_draft(rng, question, mnum(total), wrong, difficulty=-0.4, numeric=total)
    written = num(addends[0]) + "".join(("+" if v > 0 else "") + num(v) for v in addends[1:])
    positive, negative = sum(v for v in addends if v > 0), sum(v for v in addends if v < 0)
    steps = (
        Step(f"原式 $={written}$", "减法转化为加法，省略加号和括号", 2),
        Step(
            f"$={num(positive)}{'+' if negative >= 0 else ''}{num(negative)}$",
            "正数、负数分别相加",
            2,
        ),
        Step(f"$={num(total)}$", "结果正确", 2),
    )
    return SolutionDraft(f"计算：${expression}$。", steps, extra_kps=("有理数的减法法则",))


@register("有理数的乘法法则")
def _multiply(rng: np.random.Generator) -> Draft:
    values = [randint(rng, -9, 9, nonzero=True) for _ in range(int(rng.integers(2, 4)))]
    values[0] = -abs(values[0])
    product = int(np.prod(values))
    question = f"计算 ${TIMES.join(paren(v) for v in values)}$ 的结果是"
    wrong = [mnum(-product), mnum(sum(values)), mnum(-sum(abs(v) for v in values))]
    return value_draft(rng, question, mnum(product), wrong, difficulty=-0.9, numeric=product)


@register("有理数的乘法法则")
def _product_sign(rng: np.random.Generator) -> Draft:
    n = randint(rng, 3, 6)
    return StatementDraft(
        "下列说法中",
        (
            "几个不为 $0$ 的数相乘，负因数的个数为奇数时，积为负",
            "几个数相乘，有一个因数为 $0$，积就为 $0$",
            "两数相乘，同号得正，异号得负",
            f"{n} 个 $-1$ 相乘，积为 ${(-1) ** n}$",
        ),
        (
            "几个有理数相乘，负因数的个数为偶数时，积一定为正",
            "两数相乘，积一定大于每一个因数",
            "异号两数相乘，取绝对值较大的因数的符号",
            f"{n} 个 $-1$ 相乘，积为 ${(-1) ** (n + 1)}$",
        ),
        difficulty=-0.4,
    )


@register("倒数")
def _reciprocal(rng: np.random.Generator) -> Draft:
    q = randint(rng, 2, 9)
    p = pick(rng, [v for v in range(1, 10) if v != q and np.gcd(v, q) == 1] or [1])
    value = Fraction(-p, q)
    wrong = [mnum(-value), mnum(1 / -value), mnum(value)]
    return value_draft(rng, f"{mnum(value)} 的倒数是", mnum(1 / value), wrong, difficulty=-1.2)


@register("有理数的除法法则")
def _divide(rng: np.random.Generator) -> Draft:
    q = randint(rng, -9, 9, nonzero=True)
    p = q * randint(rng, -9, 9, nonzero=True)
    if rng.random() < 0.5:
        a, b = Fraction(p), Fraction(q)
    else:
        a, b = Fraction(randint(rng, -9, 9, nonzero=True), 4), Fraction(-1, randint(rng, 2, 5))
    quotient = a / b
    question = f"计算 ${paren(a)}\\div{paren(b)}$ 的结果是"
    wrong = [mnum(-quotient), mnum(a * b), mnum(1 / quotient)]
    return value_draft(rng, question, mnum(quotient), wrong, difficulty=-0.7, numeric=quotient)


@register("有理数的乘除混合运算")
def _multiply_divide(rng: np.random.Generator) -> Draft:
    b, c = randint(rng, 2, 6), randint(rng, 2, 6)
    a = -b * c * randint(rng, 1, 4)
    correct = Fraction(a, b) * c
    mistake = Fraction(a, b * c)
    question = f"计算 ${num(a)}\\div{b}\\times{c}$ 的结果是"
    wrong = [mnum(mistake), mnum(-correct), mnum(-mistake)]
    return value_draft(rng, question, mnum(correct), wrong, difficulty=0.0, numeric=correct)


def _power_statements(rng: np.random.Generator) -> tuple[tuple[str, ...], tuple[str, ...]]:
    a, b, c = (
        randint(rng, 2, 5),
        randint(rng, 2, 4),
        randint(rng, 3, 6),
    )  # 2^2 = 2·2 would make a false form true
    true = (
        f"$(-{a})^{{3}}={-(a**3)}$",
        f"$-{b}^{{2}}={-(b**2)}$",
        f"$(-{c})^{{2}}={c**2}$",
        f"$(-1)^{{{2 * a}}}=1$",
    )
    false = (
        f"$-{b}^{{2}}={b**2}$",
        f"$(-{a})^{{3}}={a**3}$",
        f"$2^{{{c}}}={2 * c}$",
        f"$(-\\frac{{1}}{{{a}}})^{{2}}=-\\frac{{1}}{{{a * a}}}$",
    )
    return true, false


@register("乘方的意义")
def _power_value(rng: np.random.Generator) -> Draft:
    a, n = randint(rng, 2, 5), pick(rng, (2, 3))
    result = -(a**n)
    question = f"计算 $-{a}^{{{n}}}$ 的结果是"
    wrong = [mnum(a**n), mnum(-a * n), mnum((-a) ** n if n == 2 else a * n)]
    return value_draft(rng, question, mnum(result), wrong, difficulty=-0.6, numeric=result)


@register("乘方的意义")
def _power_truths(rng: np.random.Generator) -> Draft:
    true, false = _power_statements(rng)
    return StatementDraft("下列计算中", true, false, difficulty=-0.3)


@register("有理数的混合运算")
def _mixed_operations(rng: np.random.Generator) -> Draft:
    a, b, c = randint(rng, 2, 4), randint(rng, 2, 6), randint(rng, 2, 5)
    e = randint(rng, 2, 5)
    d = e * randint(rng, 1, 6)
    power, product, quotient = -(a**2), -b * c, Fraction(d, -e)
    total = power + product - quotient
    expression = f"-{a}^{{2}}+(-{b})\\times{c}-{d}\\div(-{e})"
    steps = (
        Step(f"原式 $={num(power)}+({num(product)})-({num(quotient)})$", "乘方计算正确", 2),
        Step(f"$={num(power)}{num(product)}+{num(-quotient)}$", "乘除计算正确", 2),
        Step(f"$={num(total)}$", "加减计算及结果正确", 2),
    )
    return SolutionDraft(
        f"计算：${expression}$。",
        steps,
        difficulty=0.2,
        extra_kps=("乘方的意义", "有理数的除法法则"),
    )


def _plain(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


@register("科学记数法")
def _scientific(rng: np.random.Generator) -> Draft:
    digits = randint(rng, 11, 999)
    while digits % 10 == 0:
        digits = randint(rng, 11, 999)
    exponent = randint(rng, 5, 9)
    mantissa = Decimal(digits).scaleb(-(len(str(digits)) - 1))
    value = int(mantissa.scaleb(exponent))
    context, unit = pick(
        rng,
        (
            ("某市常住人口约为", "人"),
            ("某景区“五一”假期接待游客约", "人次"),
            ("某省今年粮食总产量约为", "千克"),
            ("某工程总投资约", "元"),
        ),
    )
    question = f"{context} ${value}$ {unit}，将 ${value}$ 用科学记数法表示为"
    answer = f"${mantissa}\\times10^{{{exponent}}}$"
    wrong = [
        f"${mantissa}\\times10^{{{exponent + 1}}}$",
        f"${_plain(mantissa * 10)}\\times10^{{{exponent - 1}}}$",
        f"${_plain(mantissa / 10)}\\times10^{{{exponent + 1}}}$",
    ]
    return value_draft(rng, question, answer, wrong, difficulty=-0.5)


_PLACES = (("十分位", "0.1", 1), ("百分位", "0.01", 2), ("千分位", "0.001", 3))


@register("近似数")
def _rounding(rng: np.random.Generator) -> Draft:
    value = Decimal(randint(rng, 10000, 99999)).scaleb(-4) + randint(rng, 0, 9)
    name, step, places = pick(rng, _PLACES)
    rounded = value.quantize(Decimal(step), rounding=ROUND_HALF_UP)
    question = f"用四舍五入法把 ${value}$ 精确到{name}（精确到 ${step}$），所得近似数是"
    other = [
        value.quantize(Decimal(s), rounding=ROUND_HALF_UP) for _, s, p in _PLACES if p != places
    ]
    truncated = value.quantize(Decimal(step), rounding="ROUND_DOWN")
    wrong = [math(str(v)) for v in (*other, truncated, rounded + Decimal(step))]
    return value_draft(rng, question, math(str(rounded)), wrong, difficulty=-0.4)
