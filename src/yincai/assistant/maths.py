"""Worked solutions of computation questions with sympy, each checked before it is shown.

A question is a computation when it holds an expression the fill-in answer reader
(``science.answer_parsing``, no ``eval``) can read: an equation or a system (solved), an
expression with letters (simplified, factored or expanded, as the question's words ask) or
without (evaluated). Every result is checked: each solution substituted into every equation
(and no denominator becomes 0), a simplified, factored or expanded form compared with the
original at several points, a value compared with a numerical evaluation. A result that fails
its check is not shown.

Steps are Chinese sentences with the maths between ``$…$`` (LaTeX), which the pages draw.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import sympy

from yincai.i18n import _
from yincai.science.answer_parsing import AnswerSyntaxError, normalise, parse_expression

Task = Literal["solve", "evaluate", "simplify", "factor", "expand"]
MAX_EXPRESSION = 120  # characters of maths read from one question
CHECK_POINTS = (sympy.Rational(3, 7), sympy.Rational(-5, 3), sympy.Rational(11, 5))
TOLERANCE = 1e-9
# runs of characters that write maths; Chinese words and punctuation end a run
_MATHS_RUN = re.compile(r"[0-9A-Za-z+\-*/^().=×÷·−²³√πx ,，（）【】\[\]{}\\]+")
# an operation between two operands: "-3" or "x²" alone is a number or a term, not a computation
_OPERATION = re.compile(r"[0-9A-Za-z)²³]\s*[-+*/^=×÷·]\s*[-0-9A-Za-z(√]")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:/\d+)?")  # a number as written: nothing to compute
_WORDS: tuple[tuple[Task, tuple[str, ...]], ...] = (
    ("factor", ("因式分解", "分解因式")),
    ("expand", ("展开",)),
    ("simplify", ("化简", "约分", "合并同类项", "化为最简")),
)


@dataclass(frozen=True)
class WorkedSolution:
    """A computation's steps and result, with what the check found."""

    task: Task
    steps: Sequence[str]  # messages: rendered in the asker's language where shown
    result: str  # the result in $…$
    checks: Sequence[str]  # what the check found, in words (one sentence each)


class _NotComputation(ValueError):
    pass


def solve_question(question: str) -> WorkedSolution | None:
    """The worked, checked solution of ``question``, or None when it is no computation this
    reader understands (or its result failed the check)."""
    text = _maths_text(question)
    if text is None:
        return None
    task = next((t for t, words in _WORDS if any(w in question for w in words)), None)
    try:
        if "=" in text:
            return _solve(text)
        expression = _parse(text)
        if _NUMBER.fullmatch(text):
            return None
        if not expression.free_symbols:
            return _evaluate(expression)
        return _transform(expression, task or "simplify")
    except (_NotComputation, AnswerSyntaxError, TypeError, ValueError, ZeroDivisionError):
        return None
    except (RecursionError, NotImplementedError, sympy.PolynomialError):
        return None


def n_words_beyond(question: str) -> int:
    """Chinese characters of the question outside its maths: few (解方程, 等于多少) mean the
    computation is the whole question; more mean it also asks why or how."""
    return len(re.findall(r"[\u4e00-\u9fff]", _MATHS_RUN.sub("", question)))


def _maths_text(question: str) -> str | None:
    """The longest run of maths in the question, if it has an operator or an equals sign."""
    runs = [m.group().strip(" ,，") for m in _MATHS_RUN.finditer(question)]
    runs = [r for r in runs if re.search(r"[0-9]", r) and _OPERATION.search(r)]
    if not runs:
        return None
    text = max(runs, key=len)
    if len(text) > MAX_EXPRESSION or re.search(r"[<>≤≥]", text):
        return None
    try:
        return normalise(text.replace("（", "(").replace("）", ")"))
    except AnswerSyntaxError:
        return None


def _parse(text: str) -> Any:
    value = parse_expression(text).value
    if not isinstance(value, sympy.Expr):
        raise _NotComputation(text)
    return value


def _tex(value: Any) -> str:
    return f"${sympy.latex(value)}$"


# ---- equations -------------------------------------------------------------------------------


def _solve(text: str) -> WorkedSolution:
    equations = []
    for part in filter(None, text.split(",")):
        sides = part.split("=")
        if len(sides) != 2:
            raise _NotComputation(part)
        equations.append((_parse(sides[0]), _parse(sides[1])))
    symbols = sorted(
        set().union(*(lhs.free_symbols | rhs.free_symbols for lhs, rhs in equations)), key=str
    )
    if not symbols or len(symbols) > len(equations) or len(equations) > 3:
        raise _NotComputation(text)
    if len(equations) == 1:
        return _solve_one(*equations[0], symbols[0])
    return _solve_system(equations, symbols)


def _solve_one(lhs: Any, rhs: Any, symbol: Any) -> WorkedSolution:
    steps = [_("原方程：{equation}").format(equation=_tex(sympy.Eq(lhs, rhs, evaluate=False)))]
    difference = sympy.together(lhs - rhs)
    numerator, denominator = sympy.fraction(difference)
    if denominator.free_symbols:
        steps.append(
            _("去分母（两边同乘 {d}，且 {d} ≠ 0）：{equation}").format(
                d=_tex(denominator), equation=_tex(sympy.Eq(sympy.expand(numerator), 0))
            )
        )
    polynomial = sympy.expand(numerator)
    if not denominator.free_symbols and sympy.expand(lhs - rhs) != lhs:
        steps.append(
            _("移项、合并同类项：{equation}").format(equation=_tex(sympy.Eq(polynomial, 0)))
        )
    if not polynomial.is_polynomial(symbol):
        raise _NotComputation(str(polynomial))
    degree = sympy.degree(polynomial, symbol)
    roots = [r for r in sympy.solve(polynomial, symbol) if r.is_real]
    if degree == 1:
        coefficient = polynomial.coeff(symbol, 1)
        if coefficient != 1:
            steps.append(_("系数化为 1（两边同除以 {c}）").format(c=_tex(coefficient)))
    elif degree == 2:
        factored = sympy.factor(polynomial)
        a, b, c = (polynomial.coeff(symbol, n) for n in (2, 1, 0))
        if factored.is_Mul or factored.is_Pow:
            steps.append(_("因式分解：{equation}").format(equation=_tex(sympy.Eq(factored, 0))))
        else:
            discriminant = sympy.simplify(b**2 - 4 * a * c)
            if discriminant >= 0:
                steps.append(_("用求根公式：Δ = b² − 4ac = {d}").format(d=_tex(discriminant)))
            else:
                steps.append(
                    _("Δ = b² − 4ac = {d} < 0，方程没有实数根").format(d=_tex(discriminant))
                )
    elif degree != 0:
        steps.append(
            _("分解因式：{equation}").format(equation=_tex(sympy.Eq(sympy.factor(polynomial), 0)))
        )
    kept = []
    for root in roots:
        if denominator.free_symbols and sympy.simplify(denominator.subs(symbol, root)) == 0:
            steps.append(
                _("{x} = {r} 使分母为 0，是增根，舍去").format(x=_tex(symbol), r=_tex(root))
            )
            continue
        kept.append(root)
    if not kept:
        if degree == 0 and polynomial == 0:
            raise _NotComputation("identity")  # every value solves it: no worked answer
        result: str = _("方程没有实数根")
        return WorkedSolution("solve", steps, result, [_("没有使方程成立的实数")])
    checks = []
    for root in kept:
        left, right = lhs.subs(symbol, root), rhs.subs(symbol, root)
        if sympy.simplify(left - right) != 0:
            raise _NotComputation("check failed")
        checks.append(
            _("{x} = {r} 时，左边 = {left}，右边 = {right}").format(
                x=_tex(symbol), r=_tex(root), left=_tex(sympy.simplify(left)),
                right=_tex(sympy.simplify(right)),
            )
        )  # fmt: skip
    names = [f"{sympy.latex(symbol)}_{{{n}}}" if len(kept) > 1 else sympy.latex(symbol)
             for n in range(1, len(kept) + 1)]  # fmt: skip
    result = "，".join(
        f"${name} = {sympy.latex(root)}$" for name, root in zip(names, kept, strict=True)
    )
    steps.append(_("解得：{result}").format(result=result))
    return WorkedSolution("solve", steps, result, checks)


def _solve_system(equations: list[tuple[Any, Any]], symbols: list[Any]) -> WorkedSolution:
    steps = [
        _("方程组：{equations}").format(
            equations="，".join(_tex(sympy.Eq(lhs, rhs, evaluate=False)) for lhs, rhs in equations)
        )
    ]
    solutions = sympy.solve([lhs - rhs for lhs, rhs in equations], symbols, dict=True)
    solutions = [
        s for s in solutions if all(v.is_real for v in s.values()) and len(s) == len(symbols)
    ]
    if len(solutions) != 1:
        raise _NotComputation("not one solution")
    solution = solutions[0]
    first = symbols[0]
    steps.append(
        _("消元：由各方程消去其他未知数，得 {x} = {value}").format(
            x=_tex(first), value=_tex(solution[first])
        )
    )
    steps.append(_("回代求出其余未知数"))
    for lhs, rhs in equations:
        if sympy.simplify(lhs.subs(solution) - rhs.subs(solution)) != 0:
            raise _NotComputation("check failed")
    result = "，".join(f"${sympy.latex(s)} = {sympy.latex(solution[s])}$" for s in symbols)
    steps.append(_("解得：{result}").format(result=result))
    return WorkedSolution("solve", steps, result, [_("代入每个方程，左边都等于右边")])


# ---- expressions -----------------------------------------------------------------------------


def _evaluate(expression: Any) -> WorkedSolution:
    value = (
        sympy.nsimplify(sympy.simplify(expression))
        if expression.is_Float
        else sympy.simplify(expression)
    )
    if value.has(sympy.zoo, sympy.nan) or not value.is_finite:
        raise _NotComputation("undefined")
    numeric = complex(sympy.N(expression, 30))
    if abs(numeric - complex(sympy.N(value, 30))) > TOLERANCE * max(1.0, abs(numeric)):
        raise _NotComputation("check failed")
    steps = [_("原式 = {expression}").format(expression=_tex(sympy.UnevaluatedExpr(expression)))]
    result = _tex(value)
    if not value.is_Rational:
        result += f" ≈ {sympy.N(value, 6)}"
    elif not value.is_Integer:
        result += f" = {sympy.N(value, 6)}" if len(str(sympy.N(value, 6))) < 9 else ""
    steps.append(_("计算得：{result}").format(result=result))
    return WorkedSolution("evaluate", steps, result, [_("与数值计算的结果一致")])


def _transform(expression: Any, task: Task) -> WorkedSolution:
    if task == "factor":
        value = sympy.factor(expression)
        words = _("因式分解")
    elif task == "expand":
        value = sympy.expand(expression)
        words = _("展开")
    else:
        value = (
            sympy.factor(sympy.cancel(expression))
            if sympy.fraction(sympy.together(expression))[1].free_symbols
            else sympy.simplify(expression)
        )
        words = _("化简")
    if value == expression:
        raise _NotComputation("nothing to do")  # a term asked about, not an expression to work
    symbols = sorted(expression.free_symbols, key=str)
    for point in CHECK_POINTS:
        values = {s: point + n for n, s in enumerate(symbols)}
        before, after = expression.subs(values), value.subs(values)
        if before.has(sympy.zoo, sympy.nan):
            continue  # a point where the original is undefined proves nothing
        if sympy.simplify(before - after) != 0:
            raise _NotComputation("check failed")
    steps = [
        _("原式 = {expression}").format(expression=_tex(expression)),
        _("{words}得：{result}").format(words=words, result=_tex(value)),
    ]
    checks = [_("在 {n} 个取值处代入，两式的值相同").format(n=len(CHECK_POINTS))]
    return WorkedSolution(task, steps, _tex(value), checks)
