"""import history: who imported what, for which assessment, and how to revert it

Revision ID: 20261202_0006
Revises: 20261129_0005
Create Date: 2026-12-02 23:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "20261202_0006"
down_revision = "20261129_0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The same file may now be imported again (the last confirmed file wins): no unique digest.
    with op.batch_alter_table("import_batch") as batch:
        batch.drop_constraint("uq_import_batch_kind_sha256", type_="unique")
        batch.add_column(sa.Column("assessment_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("user_account_id", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("origin", sa.String(length=10), nullable=False, server_default="cli")
        )
        batch.add_column(sa.Column("reverts_batch_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("reverted_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("undo", sa.LargeBinary(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_import_batch_assessment_id_assessment"),
            "assessment",
            ["assessment_id"],
            ["id"],
        )
        batch.create_foreign_key(
            op.f("fk_import_batch_user_account_id_user_account"),
            "user_account",
            ["user_account_id"],
            ["id"],
        )
        batch.create_foreign_key(
            op.f("fk_import_batch_reverts_batch_id_import_batch"),
            "import_batch",
            ["reverts_batch_id"],
            ["id"],
        )
        batch.create_index(op.f("ix_import_batch_assessment_id"), ["assessment_id"])
        batch.create_index("ix_import_batch_kind_sha256", ["kind", "sha256"])
    with op.batch_alter_table("import_batch") as batch:
        batch.alter_column("origin", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("import_batch") as batch:
        batch.drop_index("ix_import_batch_kind_sha256")
        batch.drop_index(op.f("ix_import_batch_assessment_id"))
        batch.drop_constraint(
            op.f("fk_import_batch_reverts_batch_id_import_batch"), type_="foreignkey"
        )
        batch.drop_constraint(
            op.f("fk_import_batch_user_account_id_user_account"), type_="foreignkey"
        )
        batch.drop_constraint(op.f("fk_import_batch_assessment_id_assessment"), type_="foreignkey")
        batch.drop_column("undo")
        batch.drop_column("reverted_at")
        batch.drop_column("reverts_batch_id")
        batch.drop_column("origin")
        batch.drop_column("user_account_id")
        batch.drop_column("assessment_id")
        batch.create_unique_constraint("uq_import_batch_kind_sha256", ["kind", "sha256"])
