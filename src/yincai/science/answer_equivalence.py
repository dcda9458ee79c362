"""Is a fill-in maths answer the same as the key? Equal, different, or uncertain (a person decides).

``judge("0.5", "\\frac{1}{2}")`` is equal: both are read into sympy objects (see
``answer_parsing``) and compared by their value, not their spelling. Answers come in shapes — a
number or expression, an equation (``y=2x+1`` is the same line as ``2x-y+1=0``), a set of reals
from an inequality or an interval (``x≥3`` = ``[3,+∞)``), a list or set of roots, a ratio — and
two shapes are compared only where the comparison means something; otherwise the verdict is
``uncertain``. "Equal" is given only on a proof: exact arithmetic, sympy's simplification to 0
on small expressions, or the configured numeric tolerance; random substitution only ever proves
a difference. The reason is a stable code (``REASONS``) for the caller to translate: the science
core imports nothing else of yincai.
"""

from __future__ import annotations

import itertools
import random
import re
from dataclasses import dataclass, replace
from typing import Any, Literal

import sympy

from yincai.science.answer_parsing import MAX_LENGTH, AnswerSyntaxError
from yincai.science.answer_shapes import (
    Equation,
    Items,
    Pair,
    Ratio,
    Region,
    Scalar,
    Shape,
    as_region,
    describe,
    has_variables,
    read_answer,
)

Verdict = Literal["equal", "different", "uncertain"]

REASONS: dict[str, Verdict] = {
    "same_value": "equal",
    "within_tolerance": "equal",
    "same_set": "equal",
    "same_equation": "equal",
    "same_ratio": "equal",
    "same_list": "equal",
    "values_differ": "different",
    "names_differ": "different",
    "count_differs": "different",
    "order_differs": "different",
    "not_simplest": "different",
    "decimal_not_accepted": "different",
    "blank": "different",
    "too_long": "uncertain",
    "too_large": "uncertain",
    "unparsed": "uncertain",
    "key_unparsed": "uncertain",
    "units_differ": "uncertain",
    "forms_differ": "uncertain",
    "unproven": "uncertain",
}
"""Every reason code and the verdict it goes with."""

N_SAMPLES = 8  # random points tried; one clear disagreement proves a difference
MIN_AGREEING_SAMPLES = 3  # fewer points where both sides are defined: no conclusion
RELATIVE_PRECISION = 1e-12  # two 30-digit values closer than this count as numerically equal
MAX_SIMPLIFY_OPS = 60  # sympy.simplify only on expressions this small (it can run for minutes)


@dataclass(frozen=True)
class AnswerRules:
    """What forms and units the key accepts.

    units : unit labels that may follow a value and are ignored (``5cm`` = ``5``); two different
        units on the answer and the key make the judgement uncertain (no conversions).
    require_simplest : a reducible fraction (``2/4``), an unsimplified radical (``√8``) or a
        radical in a denominator (``1/√2``) is different from the key, as 最简形式 asks.
    accept_decimal_for_fraction : ``0.5`` for a key ``1/2``; when false, a decimal answer to a
        non-integer fraction key is different.
    tolerance : numbers without variables within this absolute distance are equal (0: exact).
    ordered : lists of answers must come in the key's order (``x=1,x=2`` vs ``x=2,x=1``).
    case_sensitive : ``X`` and ``x`` are different variables.
    """

    units: tuple[str, ...] = (
        "°", "cm", "mm", "dm", "km", "m", "cm²", "m²", "dm²", "cm³", "m³", "kg", "g", "t",
        "ml", "L", "s", "min", "h", "元", "角", "分", "个", "人", "次", "天", "岁", "米",
        "厘米", "千米", "平方厘米", "平方米", "立方厘米", "千克", "克", "秒", "分钟", "小时",
    )  # fmt: skip
    require_simplest: bool = False
    accept_decimal_for_fraction: bool = True
    tolerance: float = 0.0
    ordered: bool = False
    case_sensitive: bool = True


@dataclass(frozen=True)
class Judgement:
    """The verdict, its reason code (a key of ``REASONS``) and the answer as it was read."""

    verdict: Verdict
    reason: str
    normalised_answer: str | None = None


_READING_ERRORS = (TypeError, ValueError, ArithmeticError, RecursionError, AttributeError)


def judge(answer: str, key: str, rules: AnswerRules = AnswerRules()) -> Judgement:
    """Compare a student's fill-in ``answer`` with the ``key`` under ``rules``.

    Never raises on the answer: text it cannot read, or a comparison it cannot settle, gives
    ``uncertain`` so that a person marks it.
    """
    if not answer.strip():
        return Judgement("different", "blank")
    if len(answer) > MAX_LENGTH:
        return Judgement("uncertain", "too_long")
    try:
        key_shape = read_answer(key, units=rules.units, case_sensitive=rules.case_sensitive)
    except _READING_ERRORS:
        return Judgement("uncertain", "key_unparsed")
    if has_variables(key_shape):  # the key uses letters as variables: 2m is 2·m, not 2 metres
        rules = replace(rules, units=tuple(u for u in rules.units if not re.search("[A-Za-z]", u)))
    try:
        answer_shape = read_answer(answer, units=rules.units, case_sensitive=rules.case_sensitive)
    except AnswerSyntaxError as error:
        return Judgement("uncertain", error.code)
    except _READING_ERRORS:  # sympy refused a construction (a complex interval end …)
        return Judgement("uncertain", "unparsed")
    normalised = describe(answer_shape)
    try:
        reason = _compare(answer_shape, key_shape, rules)
    except _READING_ERRORS:
        reason = "unproven"  # sympy gave up on something exotic: a person decides
    return Judgement(REASONS[reason], reason, normalised)


# Comparing --------------------------------------------------------------------------------------


def _compare(answer: Shape, key: Shape, rules: AnswerRules) -> str:
    if isinstance(key, Items) or isinstance(answer, Items):
        return _compare_items(answer, key, rules)
    if isinstance(key, Region) and key.set is sympy.S.EmptySet:
        return (
            "same_set" if isinstance(answer, Region) and answer.set == key.set else "values_differ"
        )
    if isinstance(answer, Region) and answer.set is sympy.S.EmptySet:
        return "values_differ"
    if isinstance(key, Region) or isinstance(answer, Region):
        if isinstance(key, Scalar | Equation | Ratio) or isinstance(answer, Scalar | Equation):
            return "forms_differ"
        return _compare_regions(as_region(answer), as_region(key))
    if isinstance(answer, Pair) and isinstance(key, Pair):
        return _compare_sequence([answer.first, answer.second], [key.first, key.second], rules)
    if isinstance(answer, Ratio) and isinstance(key, Ratio):
        return _compare_ratios(answer, key, rules)
    if isinstance(answer, Equation) or isinstance(key, Equation):
        if isinstance(answer, Pair | Ratio) or isinstance(key, Pair | Ratio):
            return "forms_differ"
        return _compare_equations(_as_equation(answer), _as_equation(key))
    if isinstance(answer, Scalar) and isinstance(key, Scalar):
        return _compare_scalars(answer, key, rules)
    return "forms_differ"


def _compare_scalars(answer: Scalar, key: Scalar, rules: AnswerRules) -> str:
    if answer.name and key.name and answer.name != key.name:
        return "names_differ"
    if answer.unit and key.unit and answer.unit != key.unit:
        return "units_differ"
    answer_value, key_value = answer.value, key.value
    if answer.unit == "°" and not key.unit and key_value.has(sympy.pi):
        answer_value = answer_value * sympy.pi / 180  # 30° for a key π/6
    if key.unit == "°" and not answer.unit and answer_value.has(sympy.pi):
        key_value = key_value * sympy.pi / 180
    reason = _compare_values(answer_value, key_value, rules)
    if reason not in ("same_value", "within_tolerance"):
        return reason
    if rules.require_simplest and answer.flags & {
        "reducible_fraction",
        "unsimplified_radical",
        "radical_denominator",
    }:
        return "not_simplest"
    if (
        not rules.accept_decimal_for_fraction
        and "decimal" in answer.flags
        and "decimal" not in key.flags
        and isinstance(key.value, sympy.Rational)
        and not key.value.is_integer
    ):
        return "decimal_not_accepted"
    return reason


def _compare_values(answer: Any, key: Any, rules: AnswerRules) -> str:
    """same_value (proved), within_tolerance, values_differ or unproven, for two expressions."""
    if answer == key:
        return "same_value"
    symbols = sorted(answer.free_symbols | key.free_symbols, key=str)
    if not symbols:
        return _compare_numbers(answer, key, rules)
    rng = random.Random(0)  # the same points every time: a judgement is reproducible
    agreeing = 0
    for _ in range(N_SAMPLES):
        point = {
            symbol: sympy.Rational(rng.randint(-97, 97), rng.randint(7, 31)) for symbol in symbols
        }
        closeness = _numerically_close(answer.subs(point), key.subs(point))
        if closeness is False:
            return "values_differ"
        agreeing += closeness is True
    if agreeing < MIN_AGREEING_SAMPLES:
        return "unproven"
    return "same_value" if _is_zero(answer - key) else "unproven"


def _compare_numbers(answer: Any, key: Any, rules: AnswerRules) -> str:
    closeness = _numerically_close(answer, key)
    if closeness is None:
        return "unproven"
    if (
        rules.tolerance > 0
        and answer.is_real
        and key.is_real
        and abs(float((answer - key).evalf(30))) <= rules.tolerance
    ):
        return "same_value" if closeness and _is_zero(answer - key) else "within_tolerance"
    if closeness is False:
        return "values_differ"
    return "same_value" if _is_zero(answer - key) else "unproven"


def _numerically_close(first: Any, second: Any) -> bool | None:
    """True/False when both evaluate to finite numbers (30 digits), None when either does not."""
    a = first.evalf(30)
    b = second.evalf(30)
    if (
        not (a.is_number and b.is_number)
        or a.has(sympy.zoo, sympy.nan)
        or b.has(sympy.zoo, sympy.nan)
    ):
        return None
    if not (a.is_finite and b.is_finite):
        return None
    scale = 1 + abs(a) + abs(b)
    return bool(abs(a - b) <= RELATIVE_PRECISION * scale)


def _is_zero(difference: Any) -> bool:
    """A proof that ``difference`` is 0: exact for rational functions, simplify when small."""
    if difference == 0:
        return True
    if difference.is_rational_function():
        return bool(sympy.cancel(sympy.together(difference)) == 0)
    if sympy.count_ops(difference) > MAX_SIMPLIFY_OPS:
        return False
    return bool(sympy.simplify(difference) == 0)


def _as_equation(shape: Shape) -> Equation:
    if isinstance(shape, Equation):
        return shape
    if isinstance(shape, Scalar) and shape.name is not None:
        return Equation(sympy.Symbol(shape.name, real=True) - shape.value)
    raise AnswerSyntaxError("unparsed")


def _compare_equations(answer: Equation, key: Equation) -> str:
    """The same equation up to a nonzero constant factor (y=2x+1 and 2x-y+1=0)."""
    if key.difference == 0 or answer.difference == 0:
        return "same_equation" if key.difference == answer.difference else "values_differ"
    ratio = sympy.cancel(sympy.together(answer.difference / key.difference))
    if ratio.is_number and ratio != 0:
        return "same_equation" if ratio.is_finite else "unproven"
    symbols = sorted(answer.difference.free_symbols | key.difference.free_symbols, key=str)
    if not ratio.free_symbols & set(symbols):
        return "unproven"
    rng = random.Random(0)
    values = []
    for _ in range(N_SAMPLES):
        point = {
            symbol: sympy.Rational(rng.randint(-97, 97), rng.randint(7, 31)) for symbol in symbols
        }
        value = ratio.subs(point).evalf(30)
        if value.is_number and value.is_finite:
            values.append(value)
    if len(values) >= 2 and any(
        abs(v - values[0]) > RELATIVE_PRECISION * (1 + abs(v)) for v in values
    ):
        return "values_differ"
    return "unproven"


def _compare_regions(answer: Region, key: Region) -> str:
    """Equal sets of reals: same boundary and the same membership on and between its points."""
    if answer.name and key.name and answer.name != key.name:
        return "names_differ"
    if answer.set == key.set:
        return "same_set"
    answer_boundary = answer.set.boundary
    key_boundary = key.set.boundary
    if not (
        isinstance(answer_boundary, sympy.FiniteSet) and isinstance(key_boundary, sympy.FiniteSet)
    ):
        return "unproven"
    if answer_boundary != key_boundary:
        answer_points = sorted(float(point.evalf(30)) for point in answer_boundary)
        key_points = sorted(float(point.evalf(30)) for point in key_boundary)
        same = len(answer_points) == len(key_points) and all(
            abs(a - b) <= RELATIVE_PRECISION * (1 + abs(a))
            for a, b in zip(answer_points, key_points, strict=True)
        )
        return "unproven" if same else "values_differ"
    points = sorted(key_boundary, key=lambda point: float(point.evalf(30)))
    probes = [points[0] - 1, *points, points[-1] + 1]
    probes += [(low + high) / 2 for low, high in itertools.pairwise(points)]
    for probe in probes:
        inside_answer = answer.set.contains(probe)
        inside_key = key.set.contains(probe)
        if inside_answer not in (sympy.true, sympy.false) or inside_key not in (
            sympy.true,
            sympy.false,
        ):
            return "unproven"
        if inside_answer != inside_key:
            return "values_differ"
    return "same_set"


def _compare_ratios(answer: Ratio, key: Ratio, rules: AnswerRules) -> str:
    if len(answer.parts) != len(key.parts):
        return "count_differs"
    if any(part == 0 for part in answer.parts) or key.parts[0] == 0:
        return "unproven"
    scaled_key = [part * answer.parts[0] / key.parts[0] for part in key.parts]
    for answer_part, key_part in zip(answer.parts, scaled_key, strict=True):
        reason = _compare_values(answer_part, key_part, rules)
        if reason != "same_value":
            return reason
    if rules.require_simplest and (
        "reducible_fraction" in answer.flags
        or not all(part.is_integer for part in answer.parts)
        or sympy.gcd_list(list(answer.parts)) != 1
    ):
        return "not_simplest"  # 最简整数比: integers with no common factor
    return "same_ratio"


def _compare_sequence(answer: list[Any], key: list[Any], rules: AnswerRules) -> str:
    for answer_value, key_value in zip(answer, key, strict=True):
        reason = _compare_values(answer_value, key_value, rules)
        if reason not in ("same_value", "within_tolerance"):
            return reason
    return "same_list"


def _compare_items(answer: Shape, key: Shape, rules: AnswerRules) -> str:
    """Lists of roots or values, in order when the rules or the key ask, otherwise as multisets."""
    answer_items = list(answer.items) if isinstance(answer, Items) else [answer]
    key_items = list(key.items) if isinstance(key, Items) else [key]
    if len(answer_items) != len(key_items):
        return "count_differs"
    is_set = (isinstance(key, Items) and key.is_set) or (
        isinstance(answer, Items) and answer.is_set
    )
    in_order = [_compare(a, k, rules) for a, k in zip(answer_items, key_items, strict=True)]
    if all(REASONS[reason] == "equal" for reason in in_order):
        return "same_list"
    unmatched = list(range(len(key_items)))
    settled = True
    for answer_item in answer_items:
        match = None
        for index in unmatched:
            reason = _compare(answer_item, key_items[index], rules)
            if REASONS[reason] == "equal":
                match = index
                break
            settled = settled and REASONS[reason] == "different"
        if match is None:
            return "values_differ" if settled else "unproven"
        unmatched.remove(match)
    if rules.ordered and not is_set:
        return "order_differs"
    return "same_list"
