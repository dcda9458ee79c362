"""warning acknowledgement

Revision ID: 20261124_0004
Revises: 20261124_0001
Create Date: 2026-11-24 22:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "20261124_0004"
down_revision = "20261124_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "warning_acknowledgement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=False),
        sa.Column("warning_key", sa.String(length=64), nullable=False),
        sa.Column("acknowledged_by", sa.Integer(), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["acknowledged_by"],
            ["user_account.id"],
            name=op.f("fk_warning_acknowledgement_acknowledged_by_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["district.id"],
            name=op.f("fk_warning_acknowledgement_district_id_district"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warning_acknowledgement")),
    )
    op.create_index(
        op.f("ix_warning_acknowledgement_district_id"),
        "warning_acknowledgement",
        ["district_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_warning_acknowledgement_warning_key"),
        "warning_acknowledgement",
        ["warning_key"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_warning_acknowledgement_warning_key"), table_name="warning_acknowledgement"
    )
    op.drop_index(
        op.f("ix_warning_acknowledgement_district_id"), table_name="warning_acknowledgement"
    )
    op.drop_table("warning_acknowledgement")
