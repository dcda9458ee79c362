"""scanned answer sheets: batches read by the job worker and their sheets (issue 13)

Revision ID: 20261210_0017
Revises: 20261209_0016
Create Date: 2026-12-10 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "20261210_0017"
down_revision = "20261209_0016"
branch_labels = None
depends_on = None


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=24)


def upgrade() -> None:
    op.create_table(
        "scan_batch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("uploaded_by", sa.Integer(), nullable=True),
        sa.Column(
            "status", _enum("scanstatus", "queued", "reading", "done", "failed"), nullable=False
        ),
        sa.Column("n_done", sa.Integer(), nullable=False),
        sa.Column("n_total", sa.Integer(), nullable=False),
        sa.Column("layout_json", sa.Text(), nullable=False),
        sa.Column("folder", sa.String(length=255), nullable=False),
        sa.Column("file_names", sa.Text(), nullable=False),
        sa.Column("problems", sa.Text(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("n_pages", sa.Integer(), nullable=False),
        sa.Column("n_sheets", sa.Integer(), nullable=False),
        sa.Column("n_problems", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["assessment_id"], ["assessment.id"],
            name=op.f("fk_scan_batch_assessment_id_assessment"),
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by"], ["user_account.id"],
            name=op.f("fk_scan_batch_uploaded_by_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scan_batch")),
    )  # fmt: skip
    op.create_index(op.f("ix_scan_batch_assessment_id"), "scan_batch", ["assessment_id"])
    op.create_table(
        "scan_sheet",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scan_batch_id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=True),
        sa.Column("student_number", sa.String(length=64), nullable=False),
        sa.Column("answers", sa.Text(), nullable=False),
        sa.Column("review", sa.Text(), nullable=False),
        sa.Column("problems", sa.Text(), nullable=False),
        sa.Column("sources", sa.Text(), nullable=False),
        sa.Column("crops", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["scan_batch_id"], ["scan_batch.id"],
            name=op.f("fk_scan_sheet_scan_batch_id_scan_batch"),
        ),
        sa.ForeignKeyConstraint(
            ["student_id"], ["student.id"], name=op.f("fk_scan_sheet_student_id_student")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scan_sheet")),
    )  # fmt: skip
    op.create_index(op.f("ix_scan_sheet_scan_batch_id"), "scan_sheet", ["scan_batch_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_scan_sheet_scan_batch_id"), table_name="scan_sheet")
    op.drop_table("scan_sheet")
    op.drop_index(op.f("ix_scan_batch_assessment_id"), table_name="scan_batch")
    op.drop_table("scan_batch")
