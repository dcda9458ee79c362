"""assistant: conversations and their messages (issue 14, items 3 and 6)

Revision ID: 20261212_0019
Revises: 20261211_0018
Create Date: 2026-12-12 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "20261212_0019"
down_revision = "20261211_0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "assistant_conversation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_account_id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_account_id"], ["user_account.id"],
            name=op.f("fk_assistant_conversation_user_account_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["student_id"], ["student.id"],
            name=op.f("fk_assistant_conversation_student_id_student"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assistant_conversation")),
    )  # fmt: skip
    for column in ("user_account_id", "student_id", "last_at"):
        op.create_index(
            op.f(f"ix_assistant_conversation_{column}"), "assistant_conversation", [column]
        )
    op.create_table(
        "assistant_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("is_ai_generated", sa.Boolean(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"], ["assistant_conversation.id"],
            name=op.f("fk_assistant_message_conversation_id_assistant_conversation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assistant_message")),
    )  # fmt: skip
    op.create_index(
        op.f("ix_assistant_message_conversation_id"), "assistant_message", ["conversation_id"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_assistant_message_conversation_id"), table_name="assistant_message")
    op.drop_table("assistant_message")
    for column in ("last_at", "student_id", "user_account_id"):
        op.drop_index(
            op.f(f"ix_assistant_conversation_{column}"), table_name="assistant_conversation"
        )
    op.drop_table("assistant_conversation")
