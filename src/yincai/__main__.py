"""``python -m yincai``: the same command as ``yincai`` (how ``serve`` starts its job worker)."""

from yincai.cli import app

app()
