"""The one mastery quantity every surface shows, and the one rule that puts it into words.

A student's *level* on a knowledge point is the chance of solving an item of average difficulty on
it, ``σ(z)`` of the point's mastery logit ``z``. Its point value is the posterior median
``σ(mean)`` and its interval the central 80 % credible interval ``σ(mean ∓ 1.28 sd)`` of the same
quantity, so the shown value always lies inside the shown interval. Reports, pages, PDFs, the
CLI, practice, re-teach plans and the cockpit all read levels through this module.

Students and families see words (:data:`BAND_WORDS`); teachers may also see the numbers.
"""

from __future__ import annotations

from enum import StrEnum

import numpy as np
import numpy.typing as npt
from scipy.special import expit

from yincai.i18n import _

FloatArray = npt.NDArray[np.float64]

CREDIBLE_Z = 1.2816  # a central 80 % credible interval of a normal posterior
CREDIBLE_PERCENT = 80
NEEDS_WORK_BELOW = 0.5  # less than an even chance on an average item: the point needs work
PROFICIENT_FROM = 0.8  # four in five average items solved: fluent


class MasteryBand(StrEnum):
    """Where a level falls: the words a student, a family and a teacher read."""

    NEEDS_WORK = "needs_work"
    BASIC = "basic"
    PROFICIENT = "proficient"
    NO_EVIDENCE = "no_evidence"
    NOT_TAUGHT = "not_taught"


BAND_WORDS = {
    MasteryBand.NEEDS_WORK: _("需要巩固"),
    MasteryBand.BASIC: _("基本掌握"),
    MasteryBand.PROFICIENT: _("熟练"),
    MasteryBand.NO_EVIDENCE: _("暂无作答"),
    MasteryBand.NOT_TAUGHT: _("尚未学习"),
}


def level(logit_mean: npt.ArrayLike) -> FloatArray:
    """Point value of the level: ``σ(mean)``, elementwise."""
    value: FloatArray = expit(np.asarray(logit_mean, dtype=np.float64))
    return value


def interval(logit_mean: npt.ArrayLike, logit_sd: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """The 80 % credible interval of the level: ``σ(mean ∓ 1.28 sd)``."""
    mean = np.asarray(logit_mean, dtype=np.float64)
    sd = np.asarray(logit_sd, dtype=np.float64)
    return expit(mean - CREDIBLE_Z * sd), expit(mean + CREDIBLE_Z * sd)


def band(value: float, *, n_evidence: int = 1, is_taught: bool = True) -> MasteryBand:
    """The band of a level; a point without evidence has none, and one not yet taught to the
    student (``diagnosis.teaching``) says so."""
    if n_evidence <= 0:
        return MasteryBand.NO_EVIDENCE if is_taught else MasteryBand.NOT_TAUGHT
    if value < NEEDS_WORK_BELOW:
        return MasteryBand.NEEDS_WORK
    if value < PROFICIENT_FROM:
        return MasteryBand.BASIC
    return MasteryBand.PROFICIENT


def band_word(value: float, *, n_evidence: int = 1, is_taught: bool = True) -> str:
    """需要巩固 / 基本掌握 / 熟练 (or 暂无作答, 尚未学习)."""
    return BAND_WORDS[band(value, n_evidence=n_evidence, is_taught=is_taught)]


def is_weak(value: float) -> bool:
    """The rule for a weak point, used by reports, practice and re-teach plans."""
    return value < NEEDS_WORK_BELOW
