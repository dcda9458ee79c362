"""classroom loop: quizzes, answers with their verdicts, after-class practice (issue 14)

Revision ID: 20261214_0021
Revises: 20261213_0020
Create Date: 2026-12-14 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "20261214_0021"
down_revision = "20261213_0020"
branch_labels = None
depends_on = None


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=24)


def upgrade() -> None:
    op.create_table(
        "classroom_quiz",
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("school_class_id", sa.Integer(), nullable=False),
        sa.Column("pushed_by", sa.Integer(), nullable=True),
        sa.Column("pushed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("practice_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["assessment_id"], ["assessment.id"],
            name=op.f("fk_classroom_quiz_assessment_id_assessment"),
        ),
        sa.ForeignKeyConstraint(
            ["school_class_id"], ["school_class.id"],
            name=op.f("fk_classroom_quiz_school_class_id_school_class"),
        ),
        sa.ForeignKeyConstraint(
            ["pushed_by"], ["user_account.id"],
            name=op.f("fk_classroom_quiz_pushed_by_user_account"),
        ),
        sa.PrimaryKeyConstraint("assessment_id", name=op.f("pk_classroom_quiz")),
    )  # fmt: skip
    op.create_index(
        op.f("ix_classroom_quiz_school_class_id"), "classroom_quiz", ["school_class_id"]
    )
    op.create_table(
        "classroom_answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("stage", _enum("stage", "quiz", "practice"), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("answer", sa.String(length=200), nullable=False),
        sa.Column("verdict", _enum("verdict", "right", "wrong", "uncertain"), nullable=False),
        sa.Column("learning_event_id", sa.Integer(), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"], ["assessment.id"],
            name=op.f("fk_classroom_answer_assessment_id_assessment"),
        ),
        sa.ForeignKeyConstraint(
            ["student_id"], ["student.id"], name=op.f("fk_classroom_answer_student_id_student")
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["item.id"], name=op.f("fk_classroom_answer_item_id_item")
        ),
        sa.ForeignKeyConstraint(
            ["learning_event_id"], ["learning_event.id"],
            name=op.f("fk_classroom_answer_learning_event_id_learning_event"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_classroom_answer")),
        sa.UniqueConstraint(
            "assessment_id", "student_id", "stage", "item_id",
            name=op.f("uq_classroom_answer_assessment_id_student_id_stage_item_id"),
        ),
        sa.UniqueConstraint(
            "learning_event_id", name=op.f("uq_classroom_answer_learning_event_id")
        ),
    )  # fmt: skip
    op.create_index(
        op.f("ix_classroom_answer_assessment_id"), "classroom_answer", ["assessment_id"]
    )
    op.create_index(op.f("ix_classroom_answer_student_id"), "classroom_answer", ["student_id"])
    op.create_table(
        "classroom_practice",
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("knowledge_point_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["assessment_id"], ["assessment.id"],
            name=op.f("fk_classroom_practice_assessment_id_assessment"),
        ),
        sa.ForeignKeyConstraint(
            ["student_id"], ["student.id"], name=op.f("fk_classroom_practice_student_id_student")
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["item.id"], name=op.f("fk_classroom_practice_item_id_item")
        ),
        sa.ForeignKeyConstraint(
            ["knowledge_point_id"], ["knowledge_point.id"],
            name=op.f("fk_classroom_practice_knowledge_point_id_knowledge_point"),
        ),
        sa.PrimaryKeyConstraint(
            "assessment_id", "student_id", "item_id", name=op.f("pk_classroom_practice")
        ),
    )  # fmt: skip
    op.create_index(op.f("ix_classroom_practice_student_id"), "classroom_practice", ["student_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_classroom_practice_student_id"), table_name="classroom_practice")
    op.drop_table("classroom_practice")
    op.drop_index(op.f("ix_classroom_answer_student_id"), table_name="classroom_answer")
    op.drop_index(op.f("ix_classroom_answer_assessment_id"), table_name="classroom_answer")
    op.drop_table("classroom_answer")
    op.drop_index(op.f("ix_classroom_quiz_school_class_id"), table_name="classroom_quiz")
    op.drop_table("classroom_quiz")
