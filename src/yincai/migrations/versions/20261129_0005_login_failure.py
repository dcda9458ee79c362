"""login failures shared by the server's worker processes

Revision ID: 20261129_0005
Revises: 20261124_0004
Create Date: 2026-11-29 21:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "20261129_0005"
down_revision = "20261124_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_failure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failure")),
    )
    op.create_index(op.f("ix_login_failure_key"), "login_failure", ["key"], unique=False)
    op.create_index(op.f("ix_login_failure_at"), "login_failure", ["at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_login_failure_at"), table_name="login_failure")
    op.drop_index(op.f("ix_login_failure_key"), table_name="login_failure")
    op.drop_table("login_failure")
