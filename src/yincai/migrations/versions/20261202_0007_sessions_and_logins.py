"""login throttling, sessions, two-factor (issue 10)

Revision ID: 20261202_0007
Revises: 20261202_0006
Create Date: 2026-12-02 23:07:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "20261202_0007"
down_revision = "20261202_0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Only added columns, with literal defaults: SQLite then alters the table in place instead of
    # copying it (a copy would have to drop user_account, which other tables' rows reference).
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(
            sa.Column("must_change_password", sa.Boolean(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("totp_secret", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("totp_enabled_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("totp_last_step", sa.Integer(), nullable=True))
    op.create_table(
        "login_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_account_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_account_id"],
            ["user_account.id"],
            name=op.f("fk_login_session_user_account_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_session")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_login_session_token_hash")),
    )
    op.create_index(op.f("ix_login_session_user_account_id"), "login_session", ["user_account_id"])
    op.create_index(op.f("ix_login_session_created_at"), "login_session", ["created_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_login_session_created_at"), table_name="login_session")
    op.drop_index(op.f("ix_login_session_user_account_id"), table_name="login_session")
    op.drop_table("login_session")
    with op.batch_alter_table("user_account") as batch:
        batch.drop_column("totp_last_step")
        batch.drop_column("totp_enabled_at")
        batch.drop_column("totp_secret")
        batch.drop_column("must_change_password")
