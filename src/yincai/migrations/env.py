"""Alembic environment: runs on the engine handed over by ``yincai.migrations.upgrade``.

The migrations are written out in full and need no models to run, so this package sits just above
``yincai.db`` and imports no capability. ``target_metadata`` lists whatever tables the process
has loaded; to compare the schema with the models (autogenerate, ``tests/test_db.py``) first load
every model with ``yincai.privacy.registry.load_all_models``.
"""

from __future__ import annotations

from alembic import context

from yincai.db import Base

target_metadata = Base.metadata
engine = context.config.attributes["engine"]

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
