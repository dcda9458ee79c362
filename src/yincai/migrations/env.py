"""Alembic environment: runs on the engine handed over by ``yincai.migrations.upgrade``."""

from __future__ import annotations

from alembic import context

import yincai.cockpit.models
import yincai.diagnosis.models
import yincai.documents.models
import yincai.governance.models
import yincai.hub.models
import yincai.privacy.models  # noqa: F401
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
