"""The shapes a fill-in maths answer takes, read from its normalised text.

A number or expression (``Scalar``, possibly named: ``x=2``), an equation (``Equation``), a set
of reals from inequalities, intervals and unions (``Region``), ``(a,b)`` that is an open
interval or a point (``Pair``), a list or set of answers (``Items``) and a ratio (``Ratio``).
Inequalities are solved here, directly, for polynomials of degree at most 2 in one variable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

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

MAX_LIST_LENGTH = 12  # roots or items in one answer; more goes to a person


@dataclass(frozen=True)
class Scalar:
    value: Any
    flags: frozenset[str] = frozenset()
    name: str | None = None  # x in "x=2": a value given with the variable it belongs to
    unit: str | None = None


@dataclass(frozen=True)
class Equation:
    difference: Any  # lhs - rhs


@dataclass(frozen=True)
class Region:
    set: Any  # a sympy set of reals
    name: str | None = None


@dataclass(frozen=True)
class Pair:
    """``(a,b)``: an open interval or a point; the other side decides."""

    first: Any
    second: Any


@dataclass(frozen=True)
class Items:
    items: tuple[Any, ...]
    is_set: bool = False  # written in braces: order never matters


@dataclass(frozen=True)
class Ratio:
    parts: tuple[Any, ...]
    flags: frozenset[str] = field(default_factory=frozenset)


Shape = Scalar | Equation | Region | Pair | Items | Ratio


def read_answer(text: str, *, units: tuple[str, ...], case_sensitive: bool) -> Shape:
    """The shape of a written answer, or AnswerSyntaxError (units: labels a number may carry)."""
    if len(text) > MAX_LENGTH:
        raise AnswerSyntaxError("too_long")
    plain = normalise(text, case_sensitive=case_sensitive)
    if not plain:
        raise AnswerSyntaxError("unparsed")
    return _read_plain(plain, units if case_sensitive else tuple(unit.lower() for unit in units))


def _read_plain(text: str, units: tuple[str, ...]) -> Shape:
    if text.count("±") == 1:  # x=±2: the two roots x=2 and x=-2
        plus, minus = text.replace("±", "+"), text.replace("±", "-")
        return Items((_read_plain(plus, units), _read_plain(minus, units)))
    if text in EMPTY_WORDS:
        return Region(sympy.S.EmptySet)
    if is_wrapped(text, "{", "}"):
        inner = text[1:-1]
        if "|" in inner and not inner.startswith("|"):  # {x|x>2}: set-builder notation
            return as_region(_read_plain(split_top_level(inner, "|")[-1], units))
        items = [_read_plain(part, units) for part in split_top_level(inner, ",")]
        return Items(tuple(items), is_set=True)
    parts = split_top_level(text, ",")
    if len(parts) > 1 and not _is_bracketed_pair(text):
        if len(parts) > MAX_LIST_LENGTH:
            raise AnswerSyntaxError("too_large")
        items = [_read_plain(part, units) for part in parts]
        if any(isinstance(item, Region) for item in items):  # x<1或x>2: one set of reals
            return _union([as_region(item) for item in items])
        return Items(tuple(items))
    if len(union := split_top_level(text, "∪")) > 1:
        return _union([as_region(_read_plain(part, units)) for part in union])
    if "∈" in text:
        name, _, region = text.partition("∈")
        return Region(as_region(_read_plain(region, units)).set, name=name)
    if _is_bracketed_pair(text):
        first, second = (parse_expression(part).value for part in split_top_level(text[1:-1], ","))
        if text[0] == "(" and text[-1] == ")":
            return Pair(first, second)
        return Region(sympy.Interval(first, second, text[0] == "(", text[-1] == ")"))
    if ":" in text:
        ratio = [parse_expression(part) for part in split_top_level(text, ":")]
        flags = frozenset().union(*(part.flags for part in ratio))
        return Ratio(tuple(part.value for part in ratio), flags)
    return _read_relation(text, units)


def _is_bracketed_pair(text: str) -> bool:
    return is_wrapped(text, "([", ")]") and len(split_top_level(text[1:-1], ",")) == 2


_RELATION = re.compile(r"(<=|>=|!=|<|>|=)")
_OPERATORS = {"<": sympy.Lt, ">": sympy.Gt, "<=": sympy.Le, ">=": sympy.Ge, "!=": sympy.Ne}


def _read_relation(text: str, units: tuple[str, ...]) -> Shape:
    pieces = _RELATION.split(text)
    if len(pieces) == 1:
        return _read_scalar(text, units)
    sides = pieces[0::2]
    operators = pieces[1::2]
    if operators == ["="]:
        left = _read_scalar(sides[0], units)
        right = _read_scalar(sides[1], units)
        if isinstance(left.value, sympy.Symbol) and left.value not in right.value.free_symbols:
            return Scalar(right.value, right.flags, base_name(left.value), right.unit)
        return Equation(left.value - right.value)
    if "=" in operators or len(operators) > 2:
        raise AnswerSyntaxError("unparsed")
    values = [_read_scalar(side, units).value for side in sides]
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
    return Region(region, name=base_name(symbol))


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


def _read_scalar(text: str, units: tuple[str, ...]) -> Scalar:
    with_unit = _strip_unit(text, units)
    if with_unit is not None:
        return with_unit
    parsed = parse_expression(text)
    return Scalar(parsed.value, frozenset(parsed.flags))


def _strip_unit(text: str, units: tuple[str, ...]) -> Scalar | None:
    for unit in sorted((normalise(unit) for unit in units), key=len, reverse=True):
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
            return Scalar(parsed.value, frozenset(parsed.flags), unit=unit)
    return None


def base_name(symbol: Any) -> str:
    """x for x, x_1 and x_(2): roots x₁, x₂ name the same unknown."""
    return str(symbol.name).split("_")[0]


def as_region(shape: Shape) -> Region:
    if isinstance(shape, Region):
        return shape
    if isinstance(shape, Pair):
        return Region(sympy.Interval.open(shape.first, shape.second))
    if isinstance(shape, Scalar) and shape.name is not None:  # x=1 among x<0: a point
        return Region(sympy.FiniteSet(shape.value), name=shape.name)
    raise AnswerSyntaxError("unparsed")


def _union(regions: list[Region]) -> Region:
    names = {region.name for region in regions} - {None}
    if len(names) > 1:
        raise AnswerSyntaxError("unparsed")
    return Region(sympy.Union(*(region.set for region in regions)), next(iter(names), None))


def has_variables(shape: Shape) -> bool:
    if isinstance(shape, Items):
        return any(has_variables(item) for item in shape.items)
    if isinstance(shape, Scalar):
        values = [shape.value]
    elif isinstance(shape, Equation):
        values = [shape.difference]
    elif isinstance(shape, Region):
        values = [shape.set]
    elif isinstance(shape, Pair):
        values = [shape.first, shape.second]
    else:
        values = list(shape.parts)
    return any(value.free_symbols for value in values)


def describe(shape: Shape) -> str:
    if isinstance(shape, Scalar):
        text = sympy.sstr(shape.value)
        return f"{shape.name}={text}" if shape.name else text
    if isinstance(shape, Equation):
        return f"{sympy.sstr(shape.difference)}=0"
    if isinstance(shape, Region):
        return str(sympy.sstr(shape.set))
    if isinstance(shape, Pair):
        return f"({sympy.sstr(shape.first)}, {sympy.sstr(shape.second)})"
    if isinstance(shape, Ratio):
        return ":".join(sympy.sstr(part) for part in shape.parts)
    inner = ", ".join(describe(item) for item in shape.items)
    return "{" + inner + "}" if shape.is_set else inner
