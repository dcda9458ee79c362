"""login throttling, sessions, two-factor (issue 10)

Revision ID: 20261202_0007
Revises: 20261202_0006
Create Date: 2026-12-02 23:07:00
"""

from __future__ import annotations

revision = "20261202_0007"
down_revision = "20261202_0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
