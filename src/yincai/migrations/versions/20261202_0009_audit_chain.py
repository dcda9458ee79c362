"""tamper-evident audit trail (issue 10)

Revision ID: 20261202_0009
Revises: 20261202_0008
Create Date: 2026-12-02 23:09:00

The route template of refusals, the students each view showed, the hash chain's seals and its
state row, and triggers that refuse UPDATE and DELETE on the audit tables except a retention
purge (``governance.chain.purge_sealed_before`` sets ``audit_chain_state.purge_before`` inside
its own transaction). Rows written before this revision are sealed by the first
``yincai audit seal`` or ``verify``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "20261202_0009"
down_revision = "20261202_0008"
branch_labels = None
depends_on = None

APPEND_ONLY = "audit log is append-only / 审计日志只能追加"
# The time of the audit row a row of each table belongs to, for the purge permit.
ROW_TIME = {
    "audit_event": "OLD.at",
    "audit_event_student": "(SELECT at FROM audit_event WHERE id = OLD.event_id)",
    "audit_seal": "(SELECT at FROM audit_event WHERE id = OLD.event_id)",
}
PERMIT = "(SELECT purge_before FROM audit_chain_state WHERE id = 1)"


def _sqlite_triggers() -> list[str]:
    statements = []
    for table, row_time in ROW_TIME.items():
        statements.append(
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
        )
        statements.append(
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
            f"WHEN COALESCE({row_time} < {PERMIT}, 0) = 0 "
            f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
        )
    statements.append(
        "CREATE TRIGGER audit_chain_state_no_delete BEFORE DELETE ON audit_chain_state "
        f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
    )
    return statements


def _postgresql_triggers() -> list[str]:
    statements = [
        "CREATE FUNCTION audit_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN RAISE EXCEPTION '{APPEND_ONLY}'; END $$"
    ]
    for table, row_time in ROW_TIME.items():
        statements += [
            f"CREATE FUNCTION {table}_guard_delete() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN IF NOT COALESCE({row_time} < {PERMIT}, false) THEN "
            f"RAISE EXCEPTION '{APPEND_ONLY}'; END IF; RETURN OLD; END $$",
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION audit_refuse()",
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {table}_guard_delete()",
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse()",
        ]
    statements += [
        "CREATE TRIGGER audit_chain_state_no_delete BEFORE DELETE ON audit_chain_state "
        "FOR EACH ROW EXECUTE FUNCTION audit_refuse()",
        "CREATE TRIGGER audit_chain_state_no_truncate BEFORE TRUNCATE ON audit_chain_state "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse()",
    ]
    return statements


def upgrade() -> None:
    op.add_column("audit_event", sa.Column("path", sa.String(length=200), nullable=True))
    op.create_table(
        "audit_event_student",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["audit_event.id"],
            name=op.f("fk_audit_event_student_event_id_audit_event"),
        ),
        sa.PrimaryKeyConstraint("event_id", "student_id", name=op.f("pk_audit_event_student")),
    )
    op.create_index(
        op.f("ix_audit_event_student_student_id"), "audit_event_student", ["student_id"]
    )
    op.create_table(
        "audit_seal",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["audit_event.id"], name=op.f("fk_audit_seal_event_id_audit_event")
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_seal")),
        sa.UniqueConstraint("event_id", name=op.f("uq_audit_seal_event_id")),
    )
    state = op.create_table(
        "audit_chain_state",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("base_seq", sa.Integer(), nullable=False),
        sa.Column("base_hash", sa.String(length=64), nullable=False),
        sa.Column("head_seq", sa.Integer(), nullable=False),
        sa.Column("head_hash", sa.String(length=64), nullable=False),
        sa.Column("mac", sa.String(length=64), nullable=False),
        sa.Column("purge_before", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_chain_state")),
    )
    # The chain's start: nothing sealed, nothing purged (no MAC yet: the key is not known here).
    op.bulk_insert(
        state,
        [{"id": 1, "base_seq": 0, "base_hash": "", "head_seq": 0, "head_hash": "", "mac": ""}],
    )
    is_sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in _sqlite_triggers() if is_sqlite else _postgresql_triggers():
        op.execute(statement)


def downgrade() -> None:
    is_sqlite = op.get_bind().dialect.name == "sqlite"
    tables = [*ROW_TIME, "audit_chain_state"]
    for table in tables:
        for kind in ("no_update", "no_delete", "no_truncate"):
            if is_sqlite and kind == "no_truncate":
                continue
            on = "" if is_sqlite else f" ON {table}"
            op.execute(f"DROP TRIGGER IF EXISTS {table}_{kind}{on}")
    if not is_sqlite:
        for table in ROW_TIME:
            op.execute(f"DROP FUNCTION IF EXISTS {table}_guard_delete()")
        op.execute("DROP FUNCTION IF EXISTS audit_refuse()")
    op.drop_table("audit_chain_state")
    op.drop_table("audit_seal")
    op.drop_index(op.f("ix_audit_event_student_student_id"), table_name="audit_event_student")
    op.drop_table("audit_event_student")
    with op.batch_alter_table("audit_event") as batch:
        batch.drop_column("path")
