"""Build the item bank: pick a template per slot, choose the item type, render and calibrate."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np

from yincai.demo.curriculum import KnowledgePointSpec
from yincai.demo.itembank import (
    algebra8a,
    equations7b,
    functions8b,
    geometry7a,
    geometry8a,
    geometry9a,
    grade7a,
    grade7b,
    grade8b,
    grade9b,
    numbers7b,
    parabolas9a,
    probability9a,
    quadratics9a,
    rational,
    statistics7b,
    symmetry8a,
    trigonometry9b,
)
from yincai.demo.itembank.drafts import (
    Draft,
    Registry,
    SolutionDraft,
    StatementDraft,
    ValueDraft,
)

ItemType = Literal[
    "single_choice", "multiple_choice", "true_false", "fill_in", "short_answer", "essay"
]

# Share of each item type in a typical Chinese junior-high maths paper and exercise book.
TYPE_MIX: dict[ItemType, float] = {
    "single_choice": 0.45,
    "multiple_choice": 0.10,
    "true_false": 0.05,
    "fill_in": 0.20,
    "short_answer": 0.15,
    "essay": 0.05,
}
OBJECTIVE_SCORE: dict[ItemType, float] = {
    "single_choice": 3.0,
    "multiple_choice": 4.0,
    "true_false": 2.0,
    "fill_in": 3.0,
}
# Designed IRT parameters: recall is easier than production, multi-step work discriminates more.
TYPE_DIFFICULTY: dict[ItemType, float] = {
    "true_false": -0.5,
    "single_choice": 0.0,
    "multiple_choice": 0.4,
    "fill_in": 0.3,
    "short_answer": 0.3,
    "essay": 0.6,
}
TYPE_DISCRIMINATION: dict[ItemType, float] = {
    "true_false": 0.7,
    "single_choice": 1.0,
    "multiple_choice": 1.1,
    "fill_in": 1.2,
    "short_answer": 1.3,
    "essay": 1.4,
}
REUSE_PENALTY = 1.0  # in "missing items" units: a point's second item prefers another template
SHORT_ANSWER_MAX_SCORE = 9  # a worked solution worth more is an essay (解答题 综合题)
LETTERS = "ABCD"
TRUE_FALSE_OPTIONS = ("正确", "错误")
SENTENCE_ENDS = (".", "?", "!", "。", "？", "！")  # a statement so ended gets no second stop


@dataclass(frozen=True)
class ItemSpec:
    """One item of the demo bank: key, knowledge points and designed IRT parameters."""

    code: str
    item_type: ItemType
    stem: str
    options: tuple[str, ...]
    answer: str
    full_score: float
    kp_weights: tuple[tuple[str, float], ...]
    difficulty: float
    discrimination: float
    grade: int


def _registry() -> Registry:
    registry: Registry = {}
    modules = (
        rational,
        grade7a,
        geometry7a,
        grade7b,
        numbers7b,
        equations7b,
        statistics7b,
        geometry8a,
        symmetry8a,
        algebra8a,
        grade8b,
        functions8b,
        quadratics9a,
        parabolas9a,
        geometry9a,
        probability9a,
        grade9b,
        trigonometry9b,
    )
    for module in modules:
        for name, templates in module.TEMPLATES.items():
            registry.setdefault(name, []).extend(templates)
    return registry


def template_point_names() -> set[str]:
    """Names of the knowledge points that have at least one item template."""
    return set(_registry())


def _unambiguous(draft: Draft) -> Draft:
    """Drop repeated statements and any statement drawn both true and false (a template slip)."""
    if not isinstance(draft, StatementDraft):
        return draft
    both = set(draft.true) & set(draft.false)
    true = tuple(dict.fromkeys(s for s in draft.true if s not in both))
    false = tuple(dict.fromkeys(s for s in draft.false if s not in both))
    return replace(draft, true=true, false=false)


def _item_types(draft: Draft) -> list[ItemType]:
    if isinstance(draft, ValueDraft):
        return ["single_choice", "fill_in"] if len(draft.distractors) >= 3 else ["fill_in"]
    if isinstance(draft, StatementDraft):
        n_true, n_false = len(draft.true), len(draft.false)
        types: list[ItemType] = ["true_false"]
        if (n_true >= 1 and n_false >= 3) or (n_true >= 3 and n_false >= 1):
            types.append("single_choice")
        if n_true >= 2 and n_false >= 1 and n_true + n_false >= 4:
            types.append("multiple_choice")
        return types
    return ["short_answer" if draft.full_score <= SHORT_ANSWER_MAX_SCORE else "essay"]


def _choice(
    rng: np.random.Generator, correct: list[str], wrong: list[str]
) -> tuple[tuple[str, ...], str]:
    options = correct + wrong
    order = [int(i) for i in rng.permutation(len(options))]
    shuffled = tuple(options[i] for i in order)
    key = "".join(LETTERS[position] for position, i in enumerate(order) if i < len(correct))
    return shuffled, key


def _render(
    draft: Draft,
    item_type: ItemType,
    rng: np.random.Generator,
    scores: Mapping[ItemType, float] = OBJECTIVE_SCORE,
) -> tuple[str, tuple[str, ...], str, float]:
    """Stem, options, answer key and full score of ``draft`` as an item of ``item_type``."""
    if isinstance(draft, ValueDraft):
        if item_type == "fill_in":
            stem = draft.question if draft.has_blank else f"{draft.question}______。"
            return stem, (), draft.answer, scores[item_type]
        options, key = _choice(rng, [draft.answer], list(draft.distractors))
        return f"{draft.question}（　　）", options, key, scores[item_type]
    if isinstance(draft, StatementDraft):
        true, false = list(draft.true), list(draft.false)
        if item_type == "true_false":
            is_true = bool(rng.random() < 0.5) if true and false else bool(true)
            statement = str(rng.choice(true if is_true else false))
            end = "" if statement.endswith(SENTENCE_ENDS) and not draft.claim else "。"
            stem = f"判断正误：{statement}{draft.claim}{end}"
            return stem, TRUE_FALSE_OPTIONS, "正确" if is_true else "错误", scores[item_type]
        if item_type == "multiple_choice":
            n_true = int(rng.integers(max(2, 4 - len(false)), min(3, len(true)) + 1))
            picked_true = [true[int(i)] for i in rng.permutation(len(true))[:n_true]]
            picked_false = [false[int(i)] for i in rng.permutation(len(false))[: 4 - n_true]]
            options, key = _choice(rng, picked_true, picked_false)
            stem = f"（多选）{draft.lead}，{draft.ask_true}（　　）"
            return stem, options, key, scores[item_type]
        can_ask_true = len(true) >= 1 and len(false) >= 3
        can_ask_false = len(true) >= 3 and len(false) >= 1
        ask_true = can_ask_true and (not can_ask_false or bool(rng.random() < 0.7))
        keyed, others = (true, false) if ask_true else (false, true)
        one = keyed[int(rng.integers(len(keyed)))]
        rest = [others[int(i)] for i in rng.permutation(len(others))[:3]]
        options, key = _choice(rng, [one], rest)
        ask = draft.ask_true if ask_true else draft.ask_false
        return f"{draft.lead}，{ask}（　　）", options, key, scores[item_type]
    return draft.stem, (), _solution_text(draft), float(draft.full_score)


def _solution_text(draft: SolutionDraft) -> str:
    circled = "①②③④⑤⑥⑦⑧⑨⑩"
    lines = "\n".join(step.text for step in draft.steps)
    points = "；".join(
        f"{circled[i]}{step.point}，{step.marks}分" for i, step in enumerate(draft.steps)
    )
    return f"{draft.opening}{lines}\n评分要点（共{draft.full_score}分）：{points}。"


def _kp_weights(
    point: KnowledgePointSpec, draft: Draft, codes_by_name: dict[str, str]
) -> tuple[tuple[str, float], ...]:
    extra = [codes_by_name[name] for name in draft.extra_kps if name in codes_by_name]
    codes = list(dict.fromkeys([point.code, *extra]))[:3]
    weights = {1: (1.0,), 2: (0.7, 0.3), 3: (0.6, 0.2, 0.2)}[len(codes)]
    return tuple(zip(codes, weights, strict=True))


def build_item_bank(
    points: Sequence[KnowledgePointSpec],
    rng: np.random.Generator,
    *,
    items_per_point: int = 2,
    registry: Registry | None = None,
    type_mix: Mapping[ItemType, float] = TYPE_MIX,
    scores: Mapping[ItemType, float] = OBJECTIVE_SCORE,
    code_prefix: str = "I",
) -> list[ItemSpec]:
    """Generate ``items_per_point`` items for every point-level node of ``points``.

    Answer keys are computed from the drawn numbers. Item types follow ``type_mix`` as closely
    as each point's templates allow; objective items score ``scores``. ``registry`` holds the
    templates by point name (default: the maths templates); item codes read
    ``{code_prefix}{grade}{A|B}-{number}``. Raises ValueError for a point no template covers.
    """
    if items_per_point < 1:
        raise ValueError(f"items_per_point must be at least 1, got {items_per_point}")
    registry = _registry() if registry is None else registry
    point_nodes = [node for node in points if node.level == "point"]
    missing = [node.name for node in point_nodes if node.name not in registry]
    if missing:
        raise ValueError(f"no item template for knowledge points: {', '.join(missing)}")
    codes_by_name = {node.name: node.code for node in point_nodes}
    counts: dict[ItemType, int] = dict.fromkeys(TYPE_MIX, 0)  # every type, also those not mixed
    numbers: dict[str, int] = {}
    items: list[ItemSpec] = []
    for point in point_nodes:
        templates = registry[point.name]
        uses = [0] * len(templates)
        for _ in range(items_per_point):
            drafts = [_unambiguous(template(rng)) for template in templates]
            n_done = len(items) + 1
            best: tuple[float, int, ItemType] | None = None
            for index, draft in enumerate(drafts):
                for item_type in _item_types(draft):
                    deficit = type_mix.get(item_type, 0.0) * n_done - counts[item_type]
                    score = deficit - REUSE_PENALTY * uses[index] + 1e-3 * float(rng.random())
                    if best is None or score > best[0]:
                        best = (score, index, item_type)
            assert best is not None  # every template yields at least one item type
            _, index, item_type = best
            draft = drafts[index]
            uses[index] += 1
            counts[item_type] += 1
            stem, options, answer, full_score = _render(draft, item_type, rng, scores)
            prefix = f"{code_prefix}{point.grade}{'A' if point.semester == 1 else 'B'}"
            numbers[prefix] = numbers.get(prefix, 0) + 1
            difficulty = draft.difficulty + TYPE_DIFFICULTY[item_type] + rng.normal(0.0, 0.25)
            discrimination = TYPE_DISCRIMINATION[item_type] * np.exp(rng.normal(0.0, 0.15))
            items.append(
                ItemSpec(
                    code=f"{prefix}-{numbers[prefix]:04d}",
                    item_type=item_type,
                    stem=stem,
                    options=options,
                    answer=answer,
                    full_score=full_score,
                    kp_weights=_kp_weights(point, draft, codes_by_name),
                    difficulty=round(float(np.clip(difficulty, -2.5, 2.5)), 3),
                    discrimination=round(float(np.clip(discrimination, 0.6, 2.0)), 3),
                    grade=point.grade,
                )
            )
    return items
