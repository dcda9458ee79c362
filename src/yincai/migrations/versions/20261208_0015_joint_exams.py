"""joint exams (联考): the papers of one grade's subjects under one name (issue 12)

Revision ID: 20261208_0015
Revises: 20261207_0014
Create Date: 2026-12-08 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "20261208_0015"
down_revision = "20261207_0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "joint_exam",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=False),
        sa.Column("grade_level", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["district_id"], ["district.id"], name=op.f("fk_joint_exam_district_id_district")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_joint_exam")),
        sa.UniqueConstraint("code", name=op.f("uq_joint_exam_code")),
    )
    # SQLite adds a column with a foreign key in place only by a plain ALTER TABLE (a batch copy
    # would have to drop assessment, which scores and sittings reference).
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE assessment ADD COLUMN joint_exam_id INTEGER"
            " CONSTRAINT fk_assessment_joint_exam_id_joint_exam REFERENCES joint_exam (id)"
        )
    else:
        op.add_column("assessment", sa.Column("joint_exam_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            op.f("fk_assessment_joint_exam_id_joint_exam"),
            "assessment",
            "joint_exam",
            ["joint_exam_id"],
            ["id"],
        )
    op.create_index(op.f("ix_assessment_joint_exam_id"), "assessment", ["joint_exam_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_assessment_joint_exam_id"), table_name="assessment")
    if op.get_bind().dialect.name == "sqlite":
        # SQLite cannot drop a column that holds a foreign key: the batch copies the table.
        with op.batch_alter_table("assessment") as batch:
            batch.drop_column("joint_exam_id")
    else:
        op.drop_constraint(
            op.f("fk_assessment_joint_exam_id_joint_exam"), "assessment", type_="foreignkey"
        )
        op.drop_column("assessment", "joint_exam_id")
    op.drop_table("joint_exam")
