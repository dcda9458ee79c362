"""Pydantic shapes of the diagnosis: a student's mastery of one knowledge point and its evidence."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from yincai.diagnosis.levels import MasteryBand


class EvidenceRead(BaseModel):
    """One response behind a mastery estimate: an exam item score or a learning event."""

    item_id: int | None = Field(description="bank item; None for an event that names only a KP")
    item_code: str | None
    assessment_code: str | None = Field(description="the exam, or None for a learning event")
    source: str = Field(description="exam, homework, or the learning log's source")
    score: float = Field(ge=0, le=1, description="score ÷ full score")
    seen_on: date


class MasteryRead(BaseModel):
    """A student's mastery of one point-level knowledge point, with its uncertainty and evidence."""

    kp_id: int
    kp_code: str
    kp_name: str
    mastery: float = Field(
        ge=0, le=1, description="level: chance of solving an average item on the point (median)"
    )
    logit_sd: float = Field(ge=0, description="posterior SD of the mastery logit")
    level_low: float = Field(ge=0, le=1, description="80 % credible interval of the level: low end")
    level_high: float = Field(ge=0, le=1, description="… and high end")
    band: MasteryBand = Field(
        description="needs_work / basic / proficient / no_evidence / not_taught"
    )
    band_word: str = Field(
        description="the band in words: 需要巩固 / 基本掌握 / 熟练 / 暂无作答 / 尚未学习"
    )
    is_taught: bool = Field(
        description="taught to the student's class by then, or of a lower grade (met before)"
    )
    n_evidence: int = Field(ge=0, description="responses behind the estimate; 0 = prior only")
    last_seen_on: date | None
    evidence: list[EvidenceRead] = Field(description="the most recent responses, newest first")
