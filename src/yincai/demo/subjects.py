"""The demo district's subjects: what each teaches in which grades, and how its items and papers
look. Maths comes first and keeps its own generator; the others draw their items from their
content folder (``content/<folder>/item_material.yaml``) plus Python templates where numbers
are drawn (physics and chemistry calculations).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module, resources
from importlib.resources.abc import Traversable

import numpy as np

from yincai.demo.curriculum import KnowledgePointSpec, load_curriculum, points_of
from yincai.demo.itembank import ItemSpec, ItemType, build_item_bank
from yincai.demo.itembank.drafts import Registry, material_registry

CONTENT = resources.files("yincai.demo") / "content"
ITEMS_PER_POINT = 3
STREAM = 3000  # seeds the other streams apart from the district's own (default_rng(seed))
STAFF_STREAM, GENERAL_STREAM = 1, 2  # later subjects' teachers; the general ability


@dataclass(frozen=True)
class DemoSubject:
    """One subject of the demo district.

    ``paper`` is how many items of each type an exam paper sets; ``scores`` the full score of
    each objective type; ``type_mix`` the share of each type the bank aims at;
    ``homework_items`` the items each class gets a week.
    """

    code: str
    name: str
    folder: str
    grades: tuple[int, ...]
    type_mix: dict[ItemType, float]
    scores: dict[ItemType, float]
    paper: dict[ItemType, int]
    homework_items: int
    exam_day: int  # days after the exam week's Monday: the joint exam runs Thursday and Friday
    template_modules: tuple[str, ...] = ()

    @property
    def curriculum_source(self) -> Traversable:
        return CONTENT / self.folder / "curriculum.yaml"

    @property
    def material_source(self) -> Traversable:
        return CONTENT / self.folder / "item_material.yaml"

    def registry(self) -> Registry:
        """The subject's item templates by point name: its material, then its Python templates."""
        registry = material_registry(self.material_source)
        for name in self.template_modules:
            module = import_module(f"yincai.demo.itembank.{name}")
            for point, templates in module.TEMPLATES.items():
                registry.setdefault(point, []).extend(templates)
        return registry


MATH = DemoSubject(
    code="MATH",
    name="数学",
    folder="math",
    grades=(7, 8, 9),
    type_mix={},  # the maths bank keeps its own settings (itembank.bank)
    scores={},
    paper={},  # semester.PAPER
    homework_items=6,
    exam_day=3,
)
CHINESE = DemoSubject(
    code="CHN",
    name="语文",
    folder="chinese",
    grades=(7, 8, 9),
    type_mix={
        "single_choice": 0.40,
        "true_false": 0.05,
        "fill_in": 0.20,
        "short_answer": 0.20,
        "essay": 0.15,
    },
    scores={"single_choice": 3.0, "multiple_choice": 4.0, "true_false": 2.0, "fill_in": 2.0},
    paper={"single_choice": 8, "fill_in": 5, "short_answer": 5, "essay": 1},  # 作文 ≈ 45 %
    homework_items=1,  # most of their homework is reading and writing, not logged items
    exam_day=3,
)
ENGLISH = DemoSubject(
    code="ENG",
    name="英语",
    folder="english",
    grades=(7, 8, 9),
    type_mix={
        "single_choice": 0.60,
        "true_false": 0.05,
        "fill_in": 0.20,
        "short_answer": 0.05,
        "essay": 0.10,
    },
    scores={"single_choice": 2.0, "multiple_choice": 2.0, "true_false": 1.0, "fill_in": 2.0},
    paper={"single_choice": 14, "fill_in": 5, "short_answer": 1, "essay": 1},
    homework_items=1,  # most of their homework is reading and writing, not logged items
    exam_day=4,
)
PHYSICS = DemoSubject(
    code="PHY",
    name="物理",
    folder="physics",
    grades=(8, 9),
    type_mix={
        "single_choice": 0.40,
        "multiple_choice": 0.10,
        "true_false": 0.05,
        "fill_in": 0.25,
        "short_answer": 0.15,
        "essay": 0.05,
    },
    scores={"single_choice": 3.0, "multiple_choice": 4.0, "true_false": 2.0, "fill_in": 2.0},
    paper={"single_choice": 8, "multiple_choice": 1, "fill_in": 4, "short_answer": 3, "essay": 1},
    homework_items=2,
    exam_day=4,
    template_modules=("physics",),
)
CHEMISTRY = DemoSubject(
    code="CHEM",
    name="化学",
    folder="chemistry",
    grades=(9,),
    type_mix={
        "single_choice": 0.50,
        "multiple_choice": 0.05,
        "true_false": 0.05,
        "fill_in": 0.20,
        "short_answer": 0.15,
        "essay": 0.05,
    },
    scores={"single_choice": 2.0, "multiple_choice": 3.0, "true_false": 1.0, "fill_in": 2.0},
    paper={"single_choice": 10, "fill_in": 3, "short_answer": 2, "essay": 1},
    homework_items=2,
    exam_day=4,
    template_modules=("chemistry",),
)
SUBJECTS = (MATH, CHINESE, ENGLISH, PHYSICS, CHEMISTRY)
OTHER_SUBJECTS = SUBJECTS[1:]  # every subject besides maths, in the order they are simulated


def subject_of(code: str) -> DemoSubject:
    """The demo subject with ``code``; ValueError names the known codes otherwise."""
    for subject in SUBJECTS:
        if subject.code == code:
            return subject
    raise ValueError(f"unknown demo subject {code}; known: {', '.join(s.code for s in SUBJECTS)}")


def subject_rng(seed: int, code: str) -> np.random.Generator:
    """The random stream of a subject besides maths: its own, so that adding a subject leaves
    maths (drawn from the district's stream) exactly as it was."""
    index = next(k for k, subject in enumerate(SUBJECTS) if subject.code == code)
    return stream_rng(seed, 10 + index)


def stream_rng(seed: int, stream: int) -> np.random.Generator:
    """An independent random stream of the demo build besides the district's own."""
    return np.random.default_rng([seed, STREAM + stream])


def points_of_subject(subject: DemoSubject) -> list[KnowledgePointSpec]:
    """The subject's point-level knowledge points in teaching order."""
    return points_of(load_curriculum(subject.curriculum_source))


def draw_bank(subject: DemoSubject, rng: np.random.Generator) -> list[ItemSpec]:
    """The item bank of a subject besides maths, drawn first from its stream."""
    return build_item_bank(
        points_of_subject(subject),
        rng,
        items_per_point=ITEMS_PER_POINT,
        registry=subject.registry(),
        type_mix=subject.type_mix,
        scores=subject.scores,
        code_prefix=subject.code,
    )
