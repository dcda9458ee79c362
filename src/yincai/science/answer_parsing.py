"""Reading a maths fill-in answer the ways Chinese students write it, without ``eval``.

The text is normalised first (LaTeX, full-width characters, Chinese punctuation, superscripts,
π, √, ∞, ≤ …), then split into its shape (a list of roots, a set, an interval, an inequality, an
equation, a ratio) and each expression is read by a small recursive-descent parser that builds
sympy objects directly from a whitelist of names. sympy's own ``parse_expr`` calls ``eval`` and
so is never used. Sizes are bounded before any sympy arithmetic runs: the text length, the
nesting depth, the number of tokens and the size of integer powers (``9^9^9^9`` is refused
instead of computed).
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import sympy

MAX_LENGTH = 200  # longer fill-in answers are essays: a person reads them
MAX_DEPTH = 20  # nested brackets; also keeps the parser far from Python's recursion limit
MAX_POWER_DIGITS = 400  # a power with more digits than this (either side of 1) is refused
MAX_EXPONENT = 1000  # a numeric exponent larger than this in size is refused

# Symbol = sympy value; every name the parser knows. One-letter names become symbols, except
# e (Euler's number) and i (the imaginary unit), as in the senior-secondary textbooks.
_FUNCTIONS: dict[str, Any] = {
    "arcsin": sympy.asin,
    "arccos": sympy.acos,
    "arctan": sympy.atan,
    "sqrt": sympy.sqrt,
    "sin": sympy.sin,
    "cos": sympy.cos,
    "tan": sympy.tan,
    "cot": sympy.cot,
    "exp": lambda value: _checked_power(sympy.E, value),
    "abs": sympy.Abs,
    "ln": sympy.log,
    "lg": lambda value: sympy.log(value, 10),
}
_CONSTANTS: dict[str, Any] = {"pi": sympy.pi, "oo": sympy.oo, "e": sympy.E, "i": sympy.I}
# Words that would otherwise read as products of letters (log2 = l·o·g·2): a person reads them.
_REFUSED = ("log", "lim", "max", "sec", "csc", "arc", "sinh", "cosh", "tanh")
_NAMES = sorted([*_FUNCTIONS, *_CONSTANTS], key=len, reverse=True)
_TRIG = ("sin", "cos", "tan", "cot", "arc")

_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")
_SUBSCRIPTS = str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")
_REPLACEMENTS = (
    ("**", "^"),
    ("×", "*"),
    ("·", "*"),
    ("⋅", "*"),
    ("÷", "/"),
    ("−", "-"),
    ("–", "-"),
    ("—", "-"),
    ("≤", "<="),
    ("⩽", "<="),
    ("≥", ">="),
    ("⩾", ">="),
    ("≠", "!="),
    ("、", ","),
    (";", ","),
    ("或", ","),
    ("∞", "oo"),
    ("π", "pi"),
    ("∶", ":"),
    ("度", "°"),
    ("。", "."),  # a Chinese input method types the decimal point as 。
)
EMPTY_WORDS = ("无实数解", "无实数根", "无实根", "无解", "空集", "∅")
_LATEX_WORDS = {
    "pi": "π",
    "infty": "∞",
    "le": "≤",
    "leq": "≤",
    "leqslant": "≤",
    "ge": "≥",
    "geq": "≥",
    "geqslant": "≥",
    "ne": "≠",
    "neq": "≠",
    "lt": "<",
    "gt": ">",
    "pm": "±",
    "cdot": "*",
    "times": "*",
    "div": "/",
    "cup": "∪",
    "in": "∈",
    "mid": "|",
    "circ": "°",
    "%": "%",
    "{": "{",
    "}": "}",
    "emptyset": "∅",
    "varnothing": "∅",
    "sin": "sin",
    "cos": "cos",
    "tan": "tan",
    "cot": "cot",
    "ln": "ln",
    "lg": "lg",
    "arcsin": "arcsin",
    "arccos": "arccos",
    "arctan": "arctan",
    "left": "",
    "right": "",
    "displaystyle": "",
    "quad": "",
    "qquad": "",
    ",": "",
    ";": "",
    "!": "",
    " ": "",
}


class AnswerSyntaxError(ValueError):
    """The text is not an answer this reader understands (a person reads it)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def normalise(text: str, *, case_sensitive: bool = True) -> str:
    """The answer in one plain spelling: ``１／２`` → ``1/2``, ``\\frac{1}{2}`` → ``((1)/(2))``."""
    text = re.sub(
        "[⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺]+", lambda match: "^(" + match.group().translate(_SUPERSCRIPTS) + ")", text
    )
    text = re.sub("[₀₁₂₃₄₅₆₇₈₉]+", lambda match: "_" + match.group().translate(_SUBSCRIPTS), text)
    text = _latex_to_plain(text.replace("$", ""))  # also x_{1} and x^{2} typed without LaTeX
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"\s+", "", text)
    for old, new in _REPLACEMENTS:
        text = text.replace(old, new)
    text = re.sub(r"(\d+)又(\d+)/(\d+)", r"(\1+\2/\3)", text)  # 带分数 1又1/2
    if text.endswith(".") and not text[:-1].endswith("."):
        text = text[:-1]  # a sentence's full stop, not a decimal point
    return text if case_sensitive else text.lower()


def _latex_to_plain(text: str) -> str:
    """Turn the LaTeX subset students use into the plain spelling; unknown commands are refused."""
    out: list[str] = []
    position = 0
    while position < len(text):
        char = text[position]
        if char == "\\":
            match = re.match(r"\\([a-zA-Z]+|.)", text[position:])
            if match is None:
                raise AnswerSyntaxError("unparsed")
            command = match.group(1)
            position += match.end()
            if command in ("frac", "dfrac", "tfrac"):
                numerator, position = _latex_argument(text, position)
                denominator, position = _latex_argument(text, position)
                whole = re.search(r"(?<![\w.)])(\d+)$", "".join(out))
                if whole and numerator.isdigit() and denominator.isdigit():
                    # 1\frac{1}{2} is the mixed number 1½ in Chinese textbooks, not 1·½
                    digits = whole.group(1)
                    out[:] = ["".join(out)[: -len(digits)]]
                    out.append(f"({digits}+{numerator}/{denominator})")
                else:
                    out.append(f"(({numerator})/({denominator}))")
            elif command == "sqrt":
                index = None
                if text[position : position + 1] == "[":
                    end = text.find("]", position)
                    if end < 0:
                        raise AnswerSyntaxError("unparsed")
                    index = _latex_to_plain(text[position + 1 : end])
                    position = end + 1
                radicand, position = _latex_argument(text, position)
                out.append(f"(({radicand})^(1/({index})))" if index else f"sqrt({radicand})")
            elif command in ("text", "mathrm", "mathit", "rm"):
                inner, position = _latex_argument(text, position)
                out.append(inner)
            elif command in _LATEX_WORDS:
                out.append(_LATEX_WORDS[command])
            else:
                raise AnswerSyntaxError("unparsed")
        elif char in "^_" and text[position + 1 : position + 2] == "{":
            inner, position = _latex_argument(text, position + 1)
            out.append(f"{char}({inner})" if inner != "°" else "°")
        elif char == "^" and text[position + 1 : position + 6] == "\\circ":
            out.append("°")
            position += 6
        else:
            out.append(char)
            position += 1
    return "".join(out)


def _latex_argument(text: str, position: int) -> tuple[str, int]:
    """One LaTeX argument from ``position``: a braced group (converted) or a single character."""
    if position >= len(text):
        raise AnswerSyntaxError("unparsed")
    if text[position] != "{":
        if text[position] == "\\":
            match = re.match(r"\\[a-zA-Z]+", text[position:])
            if match:
                return _latex_to_plain(match.group()), position + match.end()
        return text[position], position + 1
    depth = 0
    for end in range(position, len(text)):
        depth += {"{": 1, "}": -1}.get(text[end], 0)
        if depth == 0:
            return _latex_to_plain(text[position + 1 : end]), end + 1
    raise AnswerSyntaxError("unparsed")


@dataclass
class Parsed:
    """An expression and what its writing shows (for the 'simplest form' rules)."""

    value: Any
    flags: set[str] = field(default_factory=set)


# x_1, x_(1) and x1 are all the subscripted x₁ (never x·1, 2x or x²)
_TOKEN = re.compile(r"\d+(?:\.\d+)?|\.\d+|[A-Za-zα-ωΑ-Ω](?:_\(?\d+\)?|\d+)?|[-+*/^()|%√°]")


def parse_expression(text: str) -> Parsed:
    """A sympy expression from the plain spelling, or AnswerSyntaxError."""
    if not text:
        raise AnswerSyntaxError("unparsed")
    tokens: list[str] = []
    position = 0
    while position < len(text):
        name = next((name for name in _NAMES if text.startswith(name, position)), None)
        if any(text.startswith(word, position) for word in _REFUSED) and (
            name is None or len(name) < 4
        ):
            raise AnswerSyntaxError("unparsed")
        if name is not None:
            tokens.append(name)
            position += len(name)
            continue
        match = _TOKEN.match(text, position)
        if match is None or (
            match.group()[0].isdigit() and text[match.end() : match.end() + 1] == "."
        ):
            raise AnswerSyntaxError("unparsed")  # also 1.5.2, which is no number
        tokens.append(match.group())
        position = match.end()
    return _ExpressionParser(tokens).parse()


class _ExpressionParser:
    """Recursive descent: sum → term → unary → power → postfix → primary, implicit products."""

    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens
        self.position = 0
        self.depth = 0
        self.abs_depth = 0
        self.flags: set[str] = set()

    def parse(self) -> Parsed:
        value = self._sum()
        if self.position != len(self.tokens):
            raise AnswerSyntaxError("unparsed")
        return Parsed(value, self.flags)

    def _peek(self) -> str | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def _take(self) -> str:
        token = self._peek()
        if token is None:
            raise AnswerSyntaxError("unparsed")
        self.position += 1
        return token

    def _expect(self, token: str) -> None:
        if self._take() != token:
            raise AnswerSyntaxError("unparsed")

    def _sum(self) -> Any:
        value = self._term()
        while self._peek() in ("+", "-"):
            value = value + self._term() if self._take() == "+" else value - self._term()
        return value

    def _starts_operand(self, token: str | None) -> bool:
        if token is None:
            return False
        if token == "|":
            return self.abs_depth == 0
        return token in ("(", "√") or token[0].isalnum() or token[0] == "." or token in _NAMES

    def _term(self) -> Any:
        value, literal = self._unary()
        while True:
            token = self._peek()
            if token in ("*", "/"):
                self._take()
                right, right_literal = self._unary()
                if token == "*":
                    value = value * right
                else:
                    self._note_division(value, literal, right, right_literal)
                    if right == 0:
                        raise AnswerSyntaxError("unparsed")
                    value = value / right
            elif self._starts_operand(token):
                right, _ = self._unary()
                value = value * right
            else:
                return value
            literal = False

    def _note_division(
        self, left: Any, left_literal: bool, right: Any, right_literal: bool
    ) -> None:
        if left_literal and right_literal and (math.gcd(int(left), int(right)) > 1 or right == 1):
            self.flags.add("reducible_fraction")
        if any(
            isinstance(power, sympy.Pow) and not power.exp.is_integer
            for power in sympy.preorder_traversal(right)
        ):
            self.flags.add("radical_denominator")

    def _unary(self) -> tuple[Any, bool]:
        if self._peek() in ("+", "-"):
            sign = self._take()
            value, _ = self._unary()
            return (-value if sign == "-" else value), False
        return self._power()

    def _power(self) -> tuple[Any, bool]:
        base, literal = self._postfix()
        if self._peek() != "^":
            return base, literal
        self._take()
        exponent, _ = self._unary()
        return _checked_power(base, exponent), False

    def _postfix(self) -> tuple[Any, bool]:
        value, literal = self._primary()
        if self._peek() == "%":
            self._take()
            self.flags.add("percent")
            return value / 100, False
        if self._peek() == "°":  # sin30°: degrees inside an expression are π/180 each
            self._take()
            return value * sympy.pi / 180, False
        return value, literal

    def _primary(self) -> tuple[Any, bool]:
        token = self._take()
        if token[0].isdigit() or token[0] == ".":
            if "." in token:
                self.flags.add("decimal")
                return sympy.Rational(token), False
            return sympy.Integer(token), True
        if token in ("(", "|"):
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise AnswerSyntaxError("too_large")
            self.abs_depth += token == "|"
            inner = self._sum()
            self._expect(")" if token == "(" else "|")
            self.abs_depth -= token == "|"
            self.depth -= 1
            return (inner if token == "(" else sympy.Abs(inner)), False
        if token == "√" or token == "sqrt":
            return self._root(), False
        if token in _FUNCTIONS:
            exponent = None
            if self._peek() == "^":  # sin^2 x = (sin x)^2, as textbooks write it
                self._take()
                exponent, _ = self._primary()
            value = _FUNCTIONS[token](self._argument())
            return (value if exponent is None else _checked_power(value, exponent)), False
        if token in _CONSTANTS:
            return _CONSTANTS[token], False
        if token[0].isalpha():
            name = re.sub(
                r"^(.)_?\(?(\d*)\)?$", lambda m: m[1] + ("_" + m[2] if m[2] else ""), token
            )
            return sympy.Symbol(name, real=True), False
        raise AnswerSyntaxError("unparsed")

    def _root(self) -> Any:
        radicand, literal = self._power() if self._peek() != "(" else self._primary()
        if literal and radicand > 1:
            largest_square = max(k for k in range(1, math.isqrt(int(min(radicand, 10**6))) + 1)
                                 if radicand % (k * k) == 0)  # fmt: skip
            if largest_square > 1:
                self.flags.add("unsimplified_radical")
        return sympy.sqrt(radicand)

    def _argument(self) -> Any:
        """A function's argument: a bracket, or the product right after it (sin2x = sin(2x))."""
        if self._peek() == "(":
            value, _ = self._primary()
            return value
        value, _ = self._power()
        while self._starts_operand(self._peek()) and self._peek() not in _FUNCTIONS:
            value = value * self._power()[0]
        return value


def _checked_power(base: Any, exponent: Any) -> Any:
    """base ** exponent, refusing powers too large to compute in the time a judgement has."""
    if exponent.is_number:
        if not exponent.is_finite or abs(exponent.evalf(15)) > MAX_EXPONENT:
            raise AnswerSyntaxError("too_large")
        if base.is_number and base.is_finite and base != 0:
            size = float(abs(base.evalf(15)))
            if abs(math.log10(size)) * float(abs(exponent)) > MAX_POWER_DIGITS:
                raise AnswerSyntaxError("too_large")
    if any(isinstance(node, sympy.Pow | sympy.exp) for node in sympy.preorder_traversal(exponent)):
        raise AnswerSyntaxError("too_large")  # towers (e^e^x, 2^2^x): a person reads them
    return sympy.Pow(base, exponent)


def split_top_level(text: str, separator: str) -> list[str]:
    """Split at ``separator`` outside brackets of any kind (``[1,2)`` counts as one bracket)."""
    parts: list[str] = []
    depth = 0
    start = 0
    position = 0
    while position < len(text):
        char = text[position]
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
            if depth < 0:
                raise AnswerSyntaxError("unparsed")
        elif depth == 0 and text.startswith(separator, position):
            parts.append(text[start:position])
            position += len(separator)
            start = position
            continue
        position += 1
    if depth != 0:
        raise AnswerSyntaxError("unparsed")
    parts.append(text[start:])
    return parts


def is_wrapped(text: str, opening: str, closing: str) -> bool:
    """Whether the first bracket of ``text`` is one of ``opening`` and closes at its last char."""
    if len(text) < 2 or text[0] not in opening or text[-1] not in closing:
        return False
    depth = 0
    for position, char in enumerate(text):
        depth += 1 if char in "([{" else -1 if char in ")]}" else 0
        if depth == 0 and position < len(text) - 1:
            return False
    return depth == 0
