"""resource library: resources' grade, licence, format and digest; their chunks (issue 14)

Revision ID: 20261211_0018
Revises: 20261210_0017
Create Date: 2026-12-11 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "20261211_0018"
down_revision = "20261210_0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("resource") as batch:
        batch.add_column(sa.Column("grade_level", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("licence", sa.String(length=200), nullable=False, server_default="")
        )
        batch.add_column(
            sa.Column("media_type", sa.String(length=20), nullable=False, server_default="")
        )
        batch.add_column(
            sa.Column("sha256", sa.String(length=64), nullable=False, server_default="")
        )
        batch.add_column(sa.Column("imported_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("resource") as batch:
        for column in ("licence", "media_type", "sha256"):
            batch.alter_column(column, server_default=None)
    op.create_table(
        "resource_chunk",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resource_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("heading", sa.String(length=300), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("tokens", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["resource_id"], ["resource.id"],
            name=op.f("fk_resource_chunk_resource_id_resource"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resource_chunk")),
        sa.UniqueConstraint(
            "resource_id", "position", name=op.f("uq_resource_chunk_resource_id_position")
        ),
    )  # fmt: skip
    op.create_index(op.f("ix_resource_chunk_resource_id"), "resource_chunk", ["resource_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_resource_chunk_resource_id"), table_name="resource_chunk")
    op.drop_table("resource_chunk")
    with op.batch_alter_table("resource") as batch:
        for column in ("imported_at", "sha256", "media_type", "licence", "grade_level"):
            batch.drop_column(column)
