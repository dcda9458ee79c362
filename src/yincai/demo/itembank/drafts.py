"""Item drafts that templates return, and the small LaTeX and number helpers they share.

A template is ``(rng) -> Draft``: it draws numbers, computes the answer and says what it is
(a value, a set of statements, or a worked solution); ``bank.py`` decides the item type and
renders stem, options and key, so every template can serve several item types.

Drafts without numbers to draw (fixed statement sets and worked solutions) are content, not code:
they live in ``demo/content/math/item_material.yaml``, and a module files each one under its
point with ``fixed("name")`` where its template stood, so every point keeps its templates' order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import cache
from importlib import resources
from typing import Any, TypeVar

import numpy as np
import yaml

T = TypeVar("T")


@dataclass(frozen=True)
class ValueDraft:
    """A question whose answer is one expression: renders as single choice or fill-in.

    ``question`` ends where the answer goes, e.g. "计算 $(-3)+(+5)$ 的结果是".
    """

    question: str
    answer: str
    distractors: tuple[str, ...]
    difficulty: float = 0.0
    extra_kps: tuple[str, ...] = ()


@dataclass(frozen=True)
class StatementDraft:
    """True and false statements on one topic: renders as single/multiple choice or true/false.

    ``lead`` names the set, e.g. "下列计算中"; the stem appends "，" + ``ask_true`` (one true
    option among false ones) or ``ask_false`` (one false option among true ones).
    """

    lead: str
    true: tuple[str, ...]
    false: tuple[str, ...]
    difficulty: float = 0.0
    extra_kps: tuple[str, ...] = ()
    ask_true: str = "正确的是"
    ask_false: str = "错误的是"
    claim: str = ""  # appended to a statement judged on its own, e.g. "是同类项"


@dataclass(frozen=True)
class Step:
    """One step of a worked solution and the marks a marker gives for it."""

    text: str
    point: str
    marks: int


@dataclass(frozen=True)
class SolutionDraft:
    """A constructed-response question with its worked solution; ≤ 9 marks is a short answer."""

    stem: str
    steps: tuple[Step, ...]
    difficulty: float = 0.5
    extra_kps: tuple[str, ...] = ()

    @property
    def full_score(self) -> int:
        return sum(step.marks for step in self.steps)


Draft = ValueDraft | StatementDraft | SolutionDraft
Template = Callable[[np.random.Generator], Draft]
Registry = dict[str, list[Template]]


def registrar(registry: Registry) -> Callable[[str], Callable[[Template], Template]]:
    """A decorator factory: ``@register("有理数的加法法则")`` files a template under its point."""

    def register(point_name: str) -> Callable[[Template], Template]:
        def decorate(template: Template) -> Template:
            registry.setdefault(point_name, []).append(template)
            return template

        return decorate

    return register


def fixed_registrar(registry: Registry) -> Callable[[str], None]:
    """``fixed("solid_or_plane")`` files the item material's fixed draft of that name under its
    point, as the next template of that point."""

    def fixed(name: str) -> None:
        point, draft = item_material()[name]
        registry.setdefault(point, []).append(lambda _rng: draft)

    return fixed


ITEM_MATERIAL = resources.files("yincai.demo") / "content" / "math" / "item_material.yaml"


@cache
def item_material() -> dict[str, tuple[str, Draft]]:
    """The fixed drafts of the item material by name, each with the point it serves."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    document = yaml.load(ITEM_MATERIAL.read_text(encoding="utf-8"), Loader=loader)
    return {name: (entry["point"], _fixed_draft(name, entry)) for name, entry in document.items()}


def _fixed_draft(name: str, entry: dict[str, Any]) -> Draft:
    difficulty = float(entry["difficulty"])
    extra_kps = tuple(str(kp) for kp in entry.get("extra_kps", ()))
    if entry["kind"] == "statements":
        return StatementDraft(
            str(entry["lead"]),
            tuple(str(text) for text in entry["correct"]),
            tuple(str(text) for text in entry["wrong"]),
            difficulty,
            extra_kps,
            ask_true=str(entry.get("ask_true", StatementDraft.ask_true)),
            ask_false=str(entry.get("ask_false", StatementDraft.ask_false)),
            claim=str(entry.get("claim", StatementDraft.claim)),
        )
    if entry["kind"] == "solution":
        steps = tuple(
            Step(str(step["text"]), str(step["point"]), int(step["marks"]))
            for step in entry["steps"]
        )
        return SolutionDraft(str(entry["stem"]), steps, difficulty, extra_kps)
    raise ValueError(f"item material {name}: kind must be statements or solution")


def randint(rng: np.random.Generator, low: int, high: int, *, nonzero: bool = False) -> int:
    """A uniform integer in [low, high], optionally never 0."""
    while True:
        value = int(rng.integers(low, high + 1))
        if value != 0 or not nonzero:
            return value


def pick(rng: np.random.Generator, choices: Sequence[T]) -> T:
    """One element of ``choices``, uniformly."""
    return choices[int(rng.integers(len(choices)))]


def sample(rng: np.random.Generator, choices: Sequence[T], k: int) -> list[T]:
    """``k`` distinct elements of ``choices`` in random order."""
    indices = rng.permutation(len(choices))[:k]
    return [choices[int(i)] for i in indices]


def num(value: Fraction | int) -> str:
    """A rational number in LaTeX (no dollars): ``-\\frac{3}{4}``, ``5``."""
    value = Fraction(value)
    if value.denominator == 1:
        return str(value.numerator)
    sign = "-" if value < 0 else ""
    return f"{sign}\\frac{{{abs(value.numerator)}}}{{{value.denominator}}}"


def dec(value: Fraction | int) -> str:
    """A rational number as a decimal when it terminates (``2.5``), else as a fraction."""
    value = Fraction(value)
    denominator = value.denominator
    for factor in (2, 5):
        while denominator % factor == 0:
            denominator //= factor
    if denominator != 1:
        return num(value)
    text = format(Decimal(value.numerator) / Decimal(value.denominator), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def mdec(value: Fraction | int) -> str:
    """``dec`` as inline maths."""
    return f"${dec(value)}$"


def paren(value: Fraction | int) -> str:
    """A signed number as written in 有理数 exercises: ``(+5)``, ``(-3)``, ``(-\\frac{1}{2})``."""
    value = Fraction(value)
    return f"(+{num(value)})" if value > 0 else f"({num(value)})"


def wrap(value: Fraction | int) -> str:
    """A number, in parentheses when negative, for use inside a longer expression."""
    value = Fraction(value)
    return f"({num(value)})" if value < 0 else num(value)


def math(text: str) -> str:
    """Inline maths: ``$text$``."""
    return f"${text}$"


def mnum(value: Fraction | int) -> str:
    """A number as inline maths: ``$-2$``."""
    return math(num(value))


def poly(terms: Iterable[tuple[Fraction | int, str]]) -> str:
    """A polynomial in LaTeX from (coefficient, monomial) pairs, zero terms dropped.

    ``poly([(1, "x^{2}"), (-3, "x"), (2, "")])`` is ``x^{2}-3x+2``.
    """
    text = ""
    for coefficient, monomial in terms:
        coefficient = Fraction(coefficient)
        if coefficient == 0:
            continue
        sign = "-" if coefficient < 0 else ("+" if text else "")
        magnitude = abs(coefficient)
        body = monomial if monomial and magnitude == 1 else num(magnitude) + monomial
        text += sign + body
    return text or "0"


def distinct(answer: str, candidates: Iterable[str]) -> tuple[str, ...]:
    """Candidates without repeats and without the answer itself, order kept."""
    seen = {answer}
    kept: list[str] = []
    for candidate in candidates:
        if candidate not in seen:
            seen.add(candidate)
            kept.append(candidate)
    return tuple(kept)


def near_numbers(
    rng: np.random.Generator,
    answer: Fraction | int,
    *,
    step: Fraction | int = 1,
    fmt: Callable[[Fraction], str] | None = None,
) -> list[str]:
    """Plausible wrong numbers near ``answer`` (used to pad distractors), formatted by ``fmt``."""
    value = Fraction(answer)
    offsets = [d for d in range(-3, 4) if d != 0]
    render = fmt or mnum
    return [render(value + d * Fraction(step)) for d in sample(rng, offsets, len(offsets))]


def value_draft(
    rng: np.random.Generator,
    question: str,
    answer: str,
    wrong: Iterable[str],
    *,
    difficulty: float = 0.0,
    extra_kps: tuple[str, ...] = (),
    numeric: Fraction | int | None = None,
    step: Fraction | int = 1,
    fmt: Callable[[Fraction], str] | None = None,
) -> ValueDraft:
    """A ValueDraft with typical-mistake distractors first.

    When fewer than three are distinct and the answer is the number ``numeric``, pads with
    numbers ``step`` apart from it, rendered like the answer by ``fmt`` (default ``mnum``).
    """
    distractors = list(distinct(answer, wrong))
    if len(distractors) < 3 and numeric is not None:
        padding = near_numbers(rng, numeric, step=step, fmt=fmt)
        distractors = list(distinct(answer, [*distractors, *padding]))
    return ValueDraft(question, answer, tuple(distractors[:3]), difficulty, extra_kps)
