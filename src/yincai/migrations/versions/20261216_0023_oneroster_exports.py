"""OneRoster exports as stored requests built by the job worker (issue 12)

Revision ID: 20261216_0023
Revises: 20261215_0022
Create Date: 2026-12-17 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "20261216_0023"
down_revision = "20261215_0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "oneroster_export_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=False),
        sa.Column("with_names", sa.Boolean(), nullable=False),
        sa.Column("with_results", sa.Boolean(), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("hub_version", sa.Integer(), nullable=False),
        sa.Column("requested_by", sa.Integer(), nullable=True),
        sa.Column(
            "state",
            sa.Enum(
                "queued",
                "running",
                "done",
                "failed",
                name="exportstate",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("message", sa.String(length=500), nullable=False),
        sa.Column("file_path", sa.String(length=200), nullable=True),
        sa.Column("file_name", sa.String(length=120), nullable=False),
        sa.Column("n_bytes", sa.Integer(), nullable=False),
        sa.Column("n_students", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["district_id"], ["district.id"]),
        sa.ForeignKeyConstraint(["requested_by"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("district_id", "with_names", "with_results", "version"),
    )
    op.create_index(
        "ix_oneroster_export_request_district_id", "oneroster_export_request", ["district_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_oneroster_export_request_district_id", table_name="oneroster_export_request")
    op.drop_table("oneroster_export_request")
