"""Request-scoped dependencies: the settings, and a database session per request."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine
from sqlalchemy.orm import Session


def _engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def _session(request: Request) -> Iterator[Session]:
    # Routes commit themselves before returning; whatever is left uncommitted is rolled back here.
    session = Session(_engine(request), expire_on_commit=False)
    try:
        yield session
    finally:
        session.close()


DbSession = Annotated[Session, Depends(_session)]
