"""lesson plans: a class's plan on one knowledge point, its sections and figures (issue 14)

Revision ID: 20261213_0020
Revises: 20261212_0019
Create Date: 2026-12-13 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "20261213_0020"
down_revision = "20261212_0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lesson_plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_class_id", sa.Integer(), nullable=False),
        sa.Column("knowledge_point_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_class_id"], ["school_class.id"],
            name=op.f("fk_lesson_plan_school_class_id_school_class"),
        ),
        sa.ForeignKeyConstraint(
            ["knowledge_point_id"], ["knowledge_point.id"],
            name=op.f("fk_lesson_plan_knowledge_point_id_knowledge_point"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["user_account.id"],
            name=op.f("fk_lesson_plan_created_by_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by"], ["user_account.id"],
            name=op.f("fk_lesson_plan_updated_by_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lesson_plan")),
    )  # fmt: skip
    op.create_index(op.f("ix_lesson_plan_school_class_id"), "lesson_plan", ["school_class_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_lesson_plan_school_class_id"), table_name="lesson_plan")
    op.drop_table("lesson_plan")
