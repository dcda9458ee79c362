"""privacy: encrypted guardian phones, consent, retention (issue 10)

Revision ID: 20261202_0008
Revises: 20261202_0007
Create Date: 2026-12-02 23:08:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from yincai.field_encryption import is_encrypted, keyring_of

revision = "20261202_0008"
down_revision = "20261202_0007"
branch_labels = None
depends_on = None

PHONE_CONTEXT = "student.guardian_phone"  # as in domain.models.Student


def upgrade() -> None:
    op.create_table(
        "guardian_consent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column(
            "purpose",
            sa.Enum(
                "diagnosis",
                name="consentpurpose",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column(
            "method",
            sa.Enum(
                "parent_account",
                "paper_form",
                name="consentmethod",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("given_by_user_account_id", sa.Integer(), nullable=True),
        sa.Column("given_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_by_user_account_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["student_id"], ["student.id"], name=op.f("fk_guardian_consent_student_id_student")
        ),
        sa.ForeignKeyConstraint(
            ["given_by_user_account_id"],
            ["user_account.id"],
            name=op.f("fk_guardian_consent_given_by_user_account_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["withdrawn_by_user_account_id"],
            ["user_account.id"],
            name=op.f("fk_guardian_consent_withdrawn_by_user_account_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guardian_consent")),
    )
    op.create_index(
        op.f("ix_guardian_consent_student_id"), "guardian_consent", ["student_id"], unique=False
    )
    with op.batch_alter_table("student") as batch:
        batch.add_column(sa.Column("left_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("anonymised_at", sa.DateTime(timezone=True), nullable=True))
        batch.alter_column(
            "guardian_phone",
            existing_type=sa.String(length=32),
            type_=sa.String(length=128),
            existing_nullable=True,
        )
    _rewrite_phones(encrypt=True)


def downgrade() -> None:
    _rewrite_phones(encrypt=False)
    with op.batch_alter_table("student") as batch:
        batch.alter_column(
            "guardian_phone",
            existing_type=sa.String(length=128),
            type_=sa.String(length=32),
            existing_nullable=True,
        )
        batch.drop_column("anonymised_at")
        batch.drop_column("left_on")
    op.drop_index(op.f("ix_guardian_consent_student_id"), table_name="guardian_consent")
    op.drop_table("guardian_consent")


def _rewrite_phones(*, encrypt: bool) -> None:
    """Encrypt the plain phones stored so far (or, going down, decrypt them) with the keyring
    that ``yincai.db.make_engine`` bound to this engine."""
    bind = op.get_bind()
    rows = bind.execute(
        sa.text("SELECT id, guardian_phone FROM student WHERE guardian_phone IS NOT NULL")
    ).all()
    todo = [(row[0], row[1]) for row in rows if is_encrypted(row[1]) != encrypt]
    if not todo:
        return
    keyring = keyring_of(bind.dialect)
    change = keyring.encrypt if encrypt else keyring.decrypt
    bind.execute(
        sa.text("UPDATE student SET guardian_phone = :value WHERE id = :id"),
        [{"id": id_, "value": change(value, context=PHONE_CONTEXT)} for id_, value in todo],
    )
