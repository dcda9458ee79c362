"""create_app(settings): the FastAPI application with its pages, API and bundled static assets."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text

from yincai import __version__
from yincai.config import Settings
from yincai.db import make_engine
from yincai.hub import pages as hub_pages
from yincai.hub import routes as hub_routes
from yincai.web import errors
from yincai.web.deps import DbSession

HERE = Path(__file__).parent


def create_app(settings: Settings) -> FastAPI:
    engine = make_engine(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        engine.dispose()  # close pooled connections when the server stops

    app = FastAPI(
        lifespan=lifespan,
        title="因材 yincai",
        version=__version__,
        description="开源智能教育平台 API / open AI-for-education platform API",
    )
    app.state.settings = settings
    app.state.engine = engine
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    errors.install(app)

    app.include_router(hub_pages.router)
    app.include_router(hub_routes.router)

    @app.get("/health", tags=["system"])
    def health(session: DbSession) -> dict[str, str]:
        """Liveness and database reachability."""
        session.execute(text("SELECT 1"))
        return {"status": "ok", "database": session.get_bind().dialect.name, "version": __version__}

    return app
