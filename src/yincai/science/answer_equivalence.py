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
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import sympy

from yincai.science.answer_parsing import (
    EMPTY_WORDS,
    MAX_LENGTH,
    AnswerSyntaxError,
    is_wrapped,
    normalise,
    parse_expression,
    split_top_level,
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
MAX_LIST_LENGTH = 12  # roots or items in one answer; more goes to a person


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


# The shapes an answer can take ------------------------------------------------------------------


@dataclass(frozen=True)
class _Scalar:
    value: Any
    flags: frozenset[str] = frozenset()
    name: str | None = None  # x in "x=2": a value given with the variable it belongs to
    unit: str | None = None


@dataclass(frozen=True)
class _Equation:
    difference: Any  # lhs - rhs


@dataclass(frozen=True)
class _Region:
    set: Any  # a sympy set of reals
    name: str | None = None


@dataclass(frozen=True)
class _Pair:
    """``(a,b)``: an open interval or a point; the other side decides."""

    first: Any
    second: Any


@dataclass(frozen=True)
class _Items:
    items: tuple[Any, ...]
    is_set: bool = False  # written in braces: order never matters


@dataclass(frozen=True)
class _Ratio:
    parts: tuple[Any, ...]
    flags: frozenset[str] = field(default_factory=frozenset)


_Shape = _Scalar | _Equation | _Region | _Pair | _Items | _Ratio
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
        key_shape = _read(key, rules)
    except _READING_ERRORS:
        return Judgement("uncertain", "key_unparsed")
    if _has_variables(key_shape):  # the key uses letters as variables: 2m is 2·m, not 2 metres
        rules = replace(rules, units=tuple(u for u in rules.units if not re.search("[A-Za-z]", u)))
    try:
        answer_shape = _read(answer, rules)
    except AnswerSyntaxError as error:
        return Judgement("uncertain", error.code)
    except _READING_ERRORS:  # sympy refused a construction (a complex interval end …)
        return Judgement("uncertain", "unparsed")
    normalised = _describe(answer_shape)
    try:
        reason = _compare(answer_shape, key_shape, rules)
    except _READING_ERRORS:
        reason = "unproven"  # sympy gave up on something exotic: a person decides
    return Judgement(REASONS[reason], reason, normalised)


# Reading ----------------------------------------------------------------------------------------


def _read(text: str, rules: AnswerRules) -> _Shape:
    if len(text) > MAX_LENGTH:
        raise AnswerSyntaxError("too_long")
    plain = normalise(text, case_sensitive=rules.case_sensitive)
    if not plain:
        raise AnswerSyntaxError("unparsed")
    return _read_plain(plain, rules)


def _read_plain(text: str, rules: AnswerRules) -> _Shape:
    if text.count("±") == 1:  # x=±2: the two roots x=2 and x=-2
        plus, minus = text.replace("±", "+"), text.replace("±", "-")
        return _Items((_read_plain(plus, rules), _read_plain(minus, rules)))
    if text in EMPTY_WORDS:
        return _Region(sympy.S.EmptySet)
    if is_wrapped(text, "{", "}"):
        inner = text[1:-1]
        if "|" in inner and not inner.startswith("|"):  # {x|x>2}: set-builder notation
            return _as_region(_read_plain(split_top_level(inner, "|")[-1], rules))
        items = [_read_plain(part, rules) for part in split_top_level(inner, ",")]
        return _Items(tuple(items), is_set=True)
    parts = split_top_level(text, ",")
    if len(parts) > 1 and not _is_bracketed_pair(text):
        if len(parts) > MAX_LIST_LENGTH:
            raise AnswerSyntaxError("too_large")
        items = [_read_plain(part, rules) for part in parts]
        if any(isinstance(item, _Region) for item in items):  # x<1或x>2: one set of reals
            return _union([_as_region(item) for item in items])
        return _Items(tuple(items))
    if len(union := split_top_level(text, "∪")) > 1:
        return _union([_as_region(_read_plain(part, rules)) for part in union])
    if "∈" in text:
        name, _, region = text.partition("∈")
        return _Region(_as_region(_read_plain(region, rules)).set, name=name)
    if _is_bracketed_pair(text):
        first, second = (parse_expression(part).value for part in split_top_level(text[1:-1], ","))
        if text[0] == "(" and text[-1] == ")":
            return _Pair(first, second)
        return _Region(sympy.Interval(first, second, text[0] == "(", text[-1] == ")"))
    if ":" in text:
        ratio = [parse_expression(part) for part in split_top_level(text, ":")]
        flags = frozenset().union(*(part.flags for part in ratio))
        return _Ratio(tuple(part.value for part in ratio), flags)
    return _read_relation(text, rules)


def _is_bracketed_pair(text: str) -> bool:
    return is_wrapped(text, "([", ")]") and len(split_top_level(text[1:-1], ",")) == 2


_RELATION = re.compile(r"(<=|>=|!=|<|>|=)")
_OPERATORS = {"<": sympy.Lt, ">": sympy.Gt, "<=": sympy.Le, ">=": sympy.Ge, "!=": sympy.Ne}


def _read_relation(text: str, rules: AnswerRules) -> _Shape:
    pieces = _RELATION.split(text)
    if len(pieces) == 1:
        return _read_scalar(text, rules)
    sides = pieces[0::2]
    operators = pieces[1::2]
    if operators == ["="]:
        left = _read_scalar(sides[0], rules)
        right = _read_scalar(sides[1], rules)
        if isinstance(left.value, sympy.Symbol) and left.value not in right.value.free_symbols:
            return _Scalar(right.value, right.flags, _base_name(left.value), right.unit)
        return _Equation(left.value - right.value)
    if "=" in operators or len(operators) > 2:
        raise AnswerSyntaxError("unparsed")
    values = [_read_scalar(side, rules).value for side in sides]
    symbols = set().union(*(value.free_symbols for value in values))
    if len(symbols) != 1:
        raise AnswerSyntaxError("unparsed")
    symbol = symbols.pop()
    if any(value.has(sympy.I, sympy.zoo, sympy.nan) for value in values):
        raise AnswerSyntaxError("unparsed")  # inequalities are between real numbers
    if not all(
        value.is_polynomial(symbol) and sympy.degree(value, symbol) <= 2 for value in values
    ):
        raise AnswerSyntaxError("unparsed")  # solving beyond quadratics can take long: a person
    region = sympy.S.Reals
    for n, operator in enumerate(operators):
        region = sympy.Intersection(
            region, _solve_relation(values[n] - values[n + 1], operator, symbol)
        )
    return _Region(region, name=_base_name(symbol))


_FLIPPED = {"<": ">", ">": "<", "<=": ">=", ">=": "<=", "!=": "!="}


def _solve_relation(difference: Any, operator: str, symbol: Any) -> Any:
    """The reals where ``difference operator 0``, for a polynomial of degree 0, 1 or 2."""
    coefficients = sympy.Poly(difference, symbol).all_coeffs()
    a, b, c = (sympy.S.Zero,) * (3 - len(coefficients)) + tuple(coefficients)
    if a == 0 and b == 0:
        holds = _OPERATORS[operator](c, 0)
        if holds not in (sympy.true, sympy.false):
            raise AnswerSyntaxError("unparsed")
        return sympy.S.Reals if holds else sympy.S.EmptySet
    leading = a if a != 0 else b
    if leading.is_positive is None:
        raise AnswerSyntaxError("unparsed")
    if leading.is_negative:
        a, b, c, operator = -a, -b, -c, _FLIPPED[operator]
    if a == 0:  # b x + c with b > 0: one root, below it negative
        roots = [-c / b]
    else:
        discriminant = sympy.expand(b * b - 4 * a * c)
        if discriminant.is_positive is None and discriminant != 0:
            raise AnswerSyntaxError("unparsed")
        if discriminant.is_negative:
            roots = []
        elif discriminant == 0:
            roots = [-b / (2 * a)]
        else:
            root = sympy.sqrt(discriminant)
            roots = [(-b - root) / (2 * a), (-b + root) / (2 * a)]
    return _sign_region(roots, operator, is_linear=a == 0)


def _sign_region(roots: list[Any], operator: str, *, is_linear: bool) -> Any:
    """Where a polynomial with positive leading coefficient and these real roots is op 0."""
    oo = sympy.oo
    points = sympy.FiniteSet(*roots)
    if is_linear:
        negative = sympy.Interval.open(-oo, roots[0])
    elif len(roots) == 2:
        negative = sympy.Interval.open(roots[0], roots[1])
    else:
        negative = sympy.S.EmptySet  # a double root or none: never below 0
    positive = sympy.Complement(sympy.S.Reals, sympy.Union(negative, points))
    return {
        "<": negative,
        "<=": sympy.Union(negative, points),
        ">": positive,
        ">=": sympy.Union(positive, points),
        "!=": sympy.Complement(sympy.S.Reals, points),
    }[operator]


def _read_scalar(text: str, rules: AnswerRules) -> _Scalar:
    with_unit = _strip_unit(text, rules)
    if with_unit is not None:
        return with_unit
    parsed = parse_expression(text)
    return _Scalar(parsed.value, frozenset(parsed.flags))


def _strip_unit(text: str, rules: AnswerRules) -> _Scalar | None:
    units = sorted((normalise(unit) for unit in rules.units), key=len, reverse=True)
    for unit in units:
        if not text.endswith(unit) or len(text) == len(unit):
            continue
        rest = text[: -len(unit)]
        if unit == "°" and any(name in rest for name in ("sin", "cos", "tan", "cot", "arc")):
            continue  # sin30°: degrees inside a function are not a trailing unit
        try:
            parsed = parse_expression(rest)
        except AnswerSyntaxError:
            continue
        if not parsed.value.free_symbols:  # 2m is two metres, never 2·m, only without variables
            return _Scalar(parsed.value, frozenset(parsed.flags), unit=unit)
    return None


def _base_name(symbol: Any) -> str:
    """x for x, x_1 and x_(2): roots x₁, x₂ name the same unknown."""
    return str(symbol.name).split("_")[0]


def _as_region(shape: _Shape) -> _Region:
    if isinstance(shape, _Region):
        return shape
    if isinstance(shape, _Pair):
        return _Region(sympy.Interval.open(shape.first, shape.second))
    if isinstance(shape, _Scalar) and shape.name is not None:  # x=1 among x<0: a point
        return _Region(sympy.FiniteSet(shape.value), name=shape.name)
    raise AnswerSyntaxError("unparsed")


def _union(regions: list[_Region]) -> _Region:
    names = {region.name for region in regions} - {None}
    if len(names) > 1:
        raise AnswerSyntaxError("unparsed")
    return _Region(sympy.Union(*(region.set for region in regions)), next(iter(names), None))


def _has_variables(shape: _Shape) -> bool:
    if isinstance(shape, _Items):
        return any(_has_variables(item) for item in shape.items)
    if isinstance(shape, _Scalar):
        values = [shape.value]
    elif isinstance(shape, _Equation):
        values = [shape.difference]
    elif isinstance(shape, _Region):
        values = [shape.set]
    elif isinstance(shape, _Pair):
        values = [shape.first, shape.second]
    else:
        values = list(shape.parts)
    return any(value.free_symbols for value in values)


def _describe(shape: _Shape) -> str:
    if isinstance(shape, _Scalar):
        text = sympy.sstr(shape.value)
        return f"{shape.name}={text}" if shape.name else text
    if isinstance(shape, _Equation):
        return f"{sympy.sstr(shape.difference)}=0"
    if isinstance(shape, _Region):
        return str(sympy.sstr(shape.set))
    if isinstance(shape, _Pair):
        return f"({sympy.sstr(shape.first)}, {sympy.sstr(shape.second)})"
    if isinstance(shape, _Ratio):
        return ":".join(sympy.sstr(part) for part in shape.parts)
    inner = ", ".join(_describe(item) for item in shape.items)
    return "{" + inner + "}" if shape.is_set else inner


# Comparing --------------------------------------------------------------------------------------


def _compare(answer: _Shape, key: _Shape, rules: AnswerRules) -> str:
    if isinstance(key, _Items) or isinstance(answer, _Items):
        return _compare_items(answer, key, rules)
    if isinstance(key, _Region) and key.set is sympy.S.EmptySet:
        return (
            "same_set" if isinstance(answer, _Region) and answer.set == key.set else "values_differ"
        )
    if isinstance(answer, _Region) and answer.set is sympy.S.EmptySet:
        return "values_differ"
    if isinstance(key, _Region) or isinstance(answer, _Region):
        if isinstance(key, _Scalar | _Equation | _Ratio) or isinstance(answer, _Scalar | _Equation):
            return "forms_differ"
        return _compare_regions(_as_region(answer), _as_region(key))
    if isinstance(answer, _Pair) and isinstance(key, _Pair):
        return _compare_sequence([answer.first, answer.second], [key.first, key.second], rules)
    if isinstance(answer, _Ratio) and isinstance(key, _Ratio):
        return _compare_ratios(answer, key, rules)
    if isinstance(answer, _Equation) or isinstance(key, _Equation):
        if isinstance(answer, _Pair | _Ratio) or isinstance(key, _Pair | _Ratio):
            return "forms_differ"
        return _compare_equations(_as_equation(answer), _as_equation(key))
    if isinstance(answer, _Scalar) and isinstance(key, _Scalar):
        return _compare_scalars(answer, key, rules)
    return "forms_differ"


def _compare_scalars(answer: _Scalar, key: _Scalar, rules: AnswerRules) -> str:
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


def _as_equation(shape: _Shape) -> _Equation:
    if isinstance(shape, _Equation):
        return shape
    if isinstance(shape, _Scalar) and shape.name is not None:
        return _Equation(sympy.Symbol(shape.name, real=True) - shape.value)
    raise AnswerSyntaxError("unparsed")


def _compare_equations(answer: _Equation, key: _Equation) -> str:
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


def _compare_regions(answer: _Region, key: _Region) -> str:
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


def _compare_ratios(answer: _Ratio, key: _Ratio, rules: AnswerRules) -> str:
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


def _compare_items(answer: _Shape, key: _Shape, rules: AnswerRules) -> str:
    """Lists of roots or values, in order when the rules or the key ask, otherwise as multisets."""
    answer_items = list(answer.items) if isinstance(answer, _Items) else [answer]
    key_items = list(key.items) if isinstance(key, _Items) else [key]
    if len(answer_items) != len(key_items):
        return "count_differs"
    is_set = (isinstance(key, _Items) and key.is_set) or (
        isinstance(answer, _Items) and answer.is_set
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
