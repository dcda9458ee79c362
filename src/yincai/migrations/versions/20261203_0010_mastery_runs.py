"""mastery estimates computed ahead of time (issue 11)

Revision ID: 20261203_0010
Revises: 20261202_0009
Create Date: 2026-12-03 06:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "20261203_0010"
down_revision = "20261202_0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mastery_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("data_version", sa.String(length=64), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "running",
                "ready",
                "failed",
                name="runstatus",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("n_students", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("fit_seconds", sa.Float(), nullable=False),
        sa.Column("message", sa.String(length=500), nullable=False),
        sa.Column("model", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(["subject_id"], ["subject.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_mastery_run_subject_id", "mastery_run", ["subject_id"])
    op.create_table(
        "mastery_estimate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("logit_mean", sa.LargeBinary(), nullable=False),
        sa.Column("logit_sd", sa.LargeBinary(), nullable=False),
        sa.Column("n_evidence", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["mastery_run.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["student_id"], ["student.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("run_id", "student_id"),
    )
    op.create_index("ix_mastery_estimate_student_id", "mastery_estimate", ["student_id"])


def downgrade() -> None:
    op.drop_index("ix_mastery_estimate_student_id", table_name="mastery_estimate")
    op.drop_table("mastery_estimate")
    op.drop_index("ix_mastery_run_subject_id", table_name="mastery_run")
    op.drop_table("mastery_run")
