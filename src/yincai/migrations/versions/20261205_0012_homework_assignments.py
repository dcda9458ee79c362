"""homework assignments: an assessment's due time, and the attempt's assignment (issue 12)

Revision ID: 20261205_0012
Revises: 20261204_0011
Create Date: 2026-12-05 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "20261205_0012"
down_revision = "20261204_0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain nullable column: SQLite adds it in place (a copy of assessment would have to drop a
    # table that other tables' rows reference).
    with op.batch_alter_table("assessment") as batch:
        batch.add_column(sa.Column("due_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("learning_event") as batch:
        batch.add_column(sa.Column("assessment_id", sa.Integer(), nullable=True))
        batch.create_index(batch.f("ix_learning_event_assessment_id"), ["assessment_id"])
        batch.create_foreign_key(
            batch.f("fk_learning_event_assessment_id_assessment"),
            "assessment",
            ["assessment_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("learning_event") as batch:
        batch.drop_constraint(
            batch.f("fk_learning_event_assessment_id_assessment"), type_="foreignkey"
        )
        batch.drop_index(batch.f("ix_learning_event_assessment_id"))
        batch.drop_column("assessment_id")
    with op.batch_alter_table("assessment") as batch:
        batch.drop_column("due_at")
