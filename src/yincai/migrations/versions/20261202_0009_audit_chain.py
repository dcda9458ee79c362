"""tamper-evident audit trail (issue 10)

Revision ID: 20261202_0009
Revises: 20261202_0008
Create Date: 2026-12-02 23:09:00
"""

from __future__ import annotations

revision = "20261202_0009"
down_revision = "20261202_0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
