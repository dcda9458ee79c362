"""What the practice capability hands out: a student's practice set and a class's re-teaching plan.

Plain dataclasses for the CLI, the web pages and the printed booklets. Each item carries its
answer key; each choice carries a reason in Chinese that a teacher can read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class TargetPoint:
    """A knowledge point the set practises.

    ``role`` is ``weak`` (chosen for its own weakness; ``rank`` its place in the student's
    priority ranking, 1 = most urgent) or ``prerequisite`` (a weak foundation of a weak point,
    practised before it). ``level`` is the expected chance of solving an average item on the
    point, ``level_low`` .. ``level_high`` its 80 % credible interval, ``band_word`` the level in
    words (``diagnosis.levels``).
    """

    kp_id: int
    kp_code: str
    kp_name: str
    role: str
    rank: int
    priority: float
    level: float
    level_low: float
    level_high: float
    band_word: str
    n_evidence: int
    needed_by: list[str]
    n_items: int
    reason: str


@dataclass(frozen=True)
class PracticeItem:
    """One item of a practice set, in practice order, with its answer and why it was chosen."""

    position: int
    item_id: int
    item_code: str
    item_type: str
    type_name: str
    stem: str
    options: list[str]
    answer: str
    full_score: float
    kp_codes: list[str]
    kp_names: list[str]
    target_kp_code: str
    target_kp_name: str
    predicted_success: float
    is_in_band: bool
    reason: str  # for the teacher: with the level and the predicted success
    student_reason: str  # for the student's booklet: words only


@dataclass(frozen=True)
class PracticeSet:
    """A student's personalised practice (个性化练习): targets, then items in practice order."""

    student_id: int
    student_number: str
    student_name: str
    school_code: str
    school_name: str
    class_name: str
    grade_level: int
    as_of: date | None
    reference_on: date
    success_band: tuple[float, float]
    targets: list[TargetPoint]
    items: list[PracticeItem]
    summary: str

    @property
    def weak_kp_codes(self) -> list[str]:
        """Codes of the points targeted for their own weakness, most urgent first."""
        weak = sorted((t for t in self.targets if t.role == "weak"), key=lambda t: t.rank)
        return [t.kp_code for t in weak]

    @property
    def answer_key(self) -> list[tuple[int, str]]:
        """(position, answer) of every item: the key printed at the back of a booklet."""
        return [(item.position, item.answer) for item in self.items]


@dataclass(frozen=True)
class DiagnosticItem:
    """An item that tells well, for this class, who has mastered a point and who has not."""

    item_id: int
    item_code: str
    item_type: str
    type_name: str
    stem: str
    options: list[str]
    answer: str
    full_score: float
    discrimination: float
    difficulty: float
    class_success: float
    information: float
    reason: str


@dataclass(frozen=True)
class ReteachPoint:
    """A point the class should be re-taught, with the items most diagnostic of it."""

    kp_id: int
    kp_code: str
    kp_name: str
    mean_level: float
    n_below: int
    n_students: int
    n_dependants: int
    priority: float
    reason: str
    items: list[DiagnosticItem]


@dataclass(frozen=True)
class ReteachPlan:
    """A class's re-teaching plan (讲评/补教建议): 3 to 5 points, most urgent first."""

    school_code: str
    school_name: str
    class_name: str
    grade_level: int
    n_students: int
    as_of: date | None
    points: list[ReteachPoint]
    n_without_consent: int = 0  # students left out: under 14 without a guardian's consent
