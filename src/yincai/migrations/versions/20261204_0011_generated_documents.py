"""generated documents: long PDFs built by the job worker (issue 11)

Revision ID: 20261204_0011
Revises: 20261203_0010
Create Date: 2026-12-04 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "20261204_0011"
down_revision = "20261203_0010"
branch_labels = None
depends_on = None


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=24)


def upgrade() -> None:
    op.create_table(
        "generated_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", _enum("documentkind", "class_booklet"), nullable=False),
        sa.Column("school_class_id", sa.Integer(), nullable=False),
        sa.Column("options", sa.String(length=200), nullable=False),
        sa.Column("request_key", sa.String(length=240), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("hub_version", sa.Integer(), nullable=False),
        sa.Column("mastery_run_id", sa.Integer(), nullable=True),
        sa.Column("requested_by", sa.Integer(), nullable=True),
        sa.Column(
            "state", _enum("documentstate", "queued", "running", "done", "failed"), nullable=False
        ),
        sa.Column("n_done", sa.Integer(), nullable=False),
        sa.Column("n_total", sa.Integer(), nullable=False),
        sa.Column("message", sa.String(length=500), nullable=False),
        sa.Column("filename", sa.String(length=120), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("n_bytes", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["school_class_id"], ["school_class.id"]),
        sa.ForeignKeyConstraint(["requested_by"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("request_key", "version"),
    )
    op.create_index(
        "ix_generated_document_school_class_id", "generated_document", ["school_class_id"]
    )
    op.create_index("ix_generated_document_finished_at", "generated_document", ["finished_at"])
    op.create_table(
        "generated_document_student",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["generated_document.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["student_id"], ["student.id"]),
        sa.PrimaryKeyConstraint("document_id", "student_id"),
    )
    op.create_index(
        "ix_generated_document_student_student_id",
        "generated_document_student",
        ["student_id"],
    )


def downgrade() -> None:
    op.drop_index(
        "ix_generated_document_student_student_id", table_name="generated_document_student"
    )
    op.drop_table("generated_document_student")
    op.drop_index("ix_generated_document_finished_at", table_name="generated_document")
    op.drop_index("ix_generated_document_school_class_id", table_name="generated_document")
    op.drop_table("generated_document")
