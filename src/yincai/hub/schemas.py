"""Pydantic shapes of the data hub: what an import reports back."""

from __future__ import annotations

from pydantic import BaseModel, Field


class EntityCounts(BaseModel):
    """How one kind of record fared in an import."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0


class ImportSummary(BaseModel):
    """What one imported file changed; stored on its ``ImportBatch`` and shown by the CLI."""

    kind: str = Field(description="roster, items, scores or logs")
    file_name: str
    sha256: str
    n_rows: int = Field(description="data rows (or statements, or attempts) read from the file")
    counts: dict[str, EntityCounts] = Field(default_factory=dict)
    warnings: list[str] = Field(default_factory=list)
    is_already_imported: bool = False

    def count(self, entity: str) -> EntityCounts:
        """The counts of ``entity`` (created on first use)."""
        return self.counts.setdefault(entity, EntityCounts())


class AssessmentItemSpec(BaseModel):
    """One question of a new assessment: its label on the paper, full score and bank item."""

    label: str = Field(min_length=1, max_length=20)
    full_score: float = Field(gt=0)
    item_code: str | None = None
