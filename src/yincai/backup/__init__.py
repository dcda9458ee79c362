"""Backups of the platform's database and their restore (IT and data office)."""
