"""privacy: encrypted guardian phones, consent, retention (issue 10)

Revision ID: 20261202_0008
Revises: 20261202_0007
Create Date: 2026-12-02 23:08:00
"""

from __future__ import annotations

revision = "20261202_0008"
down_revision = "20261202_0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
