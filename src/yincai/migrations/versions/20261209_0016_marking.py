"""online marking (网络阅卷): sessions, tasks per item, answers, marks, arbitrations (issue 13)

Revision ID: 20261209_0016
Revises: 20261208_0015
Create Date: 2026-12-09 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "20261209_0016"
down_revision = "20261208_0015"
branch_labels = None
depends_on = None


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=24)


def upgrade() -> None:
    op.create_table(
        "marking_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("mode", _enum("markingmode", "single", "double", "double_third"), nullable=False),
        sa.Column("status", _enum("sessionstatus", "open", "closed"), nullable=False),
        sa.Column("claim_timeout_s", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"], ["assessment.id"],
            name=op.f("fk_marking_session_assessment_id_assessment"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["user_account.id"],
            name=op.f("fk_marking_session_created_by_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marking_session")),
        sa.UniqueConstraint("assessment_id", name=op.f("uq_marking_session_assessment_id")),
    )  # fmt: skip
    op.create_table(
        "marking_task",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("marking_session_id", sa.Integer(), nullable=False),
        sa.Column("assessment_item_id", sa.Integer(), nullable=False),
        sa.Column("tolerance", sa.Float(), nullable=False),
        sa.Column("leader_id", sa.Integer(), nullable=True),
        sa.Column("answer_key", sa.Text(), nullable=True),
        sa.Column("status", _enum("taskstatus", "open", "closed"), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("import_batch_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["marking_session_id"], ["marking_session.id"],
            name=op.f("fk_marking_task_marking_session_id_marking_session"),
        ),
        sa.ForeignKeyConstraint(
            ["assessment_item_id"], ["assessment_item.id"],
            name=op.f("fk_marking_task_assessment_item_id_assessment_item"),
        ),
        sa.ForeignKeyConstraint(
            ["leader_id"], ["user_account.id"], name=op.f("fk_marking_task_leader_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["import_batch_id"], ["import_batch.id"],
            name=op.f("fk_marking_task_import_batch_id_import_batch"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marking_task")),
        sa.UniqueConstraint(
            "marking_session_id", "assessment_item_id",
            name=op.f("uq_marking_task_marking_session_id_assessment_item_id"),
        ),
    )  # fmt: skip
    op.create_index(
        op.f("ix_marking_task_marking_session_id"), "marking_task", ["marking_session_id"]
    )
    op.create_table(
        "marking_task_marker",
        sa.Column("marking_task_id", sa.Integer(), nullable=False),
        sa.Column("user_account_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["marking_task_id"], ["marking_task.id"],
            name=op.f("fk_marking_task_marker_marking_task_id_marking_task"),
        ),
        sa.ForeignKeyConstraint(
            ["user_account_id"], ["user_account.id"],
            name=op.f("fk_marking_task_marker_user_account_id_user_account"),
        ),
        sa.PrimaryKeyConstraint(
            "marking_task_id", "user_account_id", name=op.f("pk_marking_task_marker")
        ),
    )  # fmt: skip
    op.create_table(
        "marking_answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("marking_task_id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=True),
        sa.Column("queue_position", sa.Integer(), nullable=False),
        sa.Column("image", sa.LargeBinary(), nullable=True),
        sa.Column("image_path", sa.String(length=255), nullable=True),
        sa.Column("recognised_text", sa.Text(), nullable=True),
        sa.Column("is_check", sa.Boolean(), nullable=False),
        sa.Column("known_score", sa.Float(), nullable=True),
        sa.Column("n_required", sa.Integer(), nullable=False),
        sa.Column(
            "status", _enum("answerstatus", "marking", "arbitration", "problem", "done"),
            nullable=False,
        ),
        sa.Column("final_score", sa.Float(), nullable=True),
        sa.Column("machine_score", sa.Float(), nullable=True),
        sa.Column("machine_verdict", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(
            ["marking_task_id"], ["marking_task.id"],
            name=op.f("fk_marking_answer_marking_task_id_marking_task"),
        ),
        sa.ForeignKeyConstraint(
            ["student_id"], ["student.id"], name=op.f("fk_marking_answer_student_id_student")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marking_answer")),
        sa.UniqueConstraint(
            "marking_task_id", "student_id",
            name=op.f("uq_marking_answer_marking_task_id_student_id"),
        ),
    )  # fmt: skip
    op.create_index(op.f("ix_marking_answer_student_id"), "marking_answer", ["student_id"])
    op.create_index(
        "ix_marking_answer_task_status",
        "marking_answer",
        ["marking_task_id", "status", "queue_position"],
    )
    op.create_table(
        "marking_mark",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("marking_answer_id", sa.Integer(), nullable=False),
        sa.Column("marker_id", sa.Integer(), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("live_slot", sa.Integer(), nullable=True),
        sa.Column("live_marker_id", sa.Integer(), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column(
            "flag", _enum("markflag", "blank", "illegible", "wrong_region"), nullable=True
        ),
        sa.Column("seconds_spent", sa.Float(), nullable=True),
        sa.Column("machine_score_shown", sa.Float(), nullable=True),
        sa.Column("voided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["marking_answer_id"], ["marking_answer.id"],
            name=op.f("fk_marking_mark_marking_answer_id_marking_answer"),
        ),
        sa.ForeignKeyConstraint(
            ["marker_id"], ["user_account.id"], name=op.f("fk_marking_mark_marker_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marking_mark")),
        sa.UniqueConstraint(
            "marking_answer_id", "live_slot",
            name=op.f("uq_marking_mark_marking_answer_id_live_slot"),
        ),
        sa.UniqueConstraint(
            "marking_answer_id", "live_marker_id",
            name=op.f("uq_marking_mark_marking_answer_id_live_marker_id"),
        ),
    )  # fmt: skip
    op.create_index(
        op.f("ix_marking_mark_marking_answer_id"), "marking_mark", ["marking_answer_id"]
    )
    op.create_index(
        "ix_marking_mark_marker_submitted", "marking_mark", ["marker_id", "submitted_at"]
    )
    op.create_table(
        "marking_arbitration",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("marking_answer_id", sa.Integer(), nullable=False),
        sa.Column("leader_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["marking_answer_id"], ["marking_answer.id"],
            name=op.f("fk_marking_arbitration_marking_answer_id_marking_answer"),
        ),
        sa.ForeignKeyConstraint(
            ["leader_id"], ["user_account.id"],
            name=op.f("fk_marking_arbitration_leader_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marking_arbitration")),
        sa.UniqueConstraint(
            "marking_answer_id", name=op.f("uq_marking_arbitration_marking_answer_id")
        ),
    )  # fmt: skip


def downgrade() -> None:
    op.drop_table("marking_arbitration")
    op.drop_index("ix_marking_mark_marker_submitted", table_name="marking_mark")
    op.drop_index(op.f("ix_marking_mark_marking_answer_id"), table_name="marking_mark")
    op.drop_table("marking_mark")
    op.drop_index("ix_marking_answer_task_status", table_name="marking_answer")
    op.drop_index(op.f("ix_marking_answer_student_id"), table_name="marking_answer")
    op.drop_table("marking_answer")
    op.drop_table("marking_task_marker")
    op.drop_index(op.f("ix_marking_task_marking_session_id"), table_name="marking_task")
    op.drop_table("marking_task")
    op.drop_table("marking_session")
