"""create_app(settings): the FastAPI application with its pages, API and bundled static assets."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from anyio import to_thread
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text

from yincai import __version__
from yincai.analysis import pages as analysis_pages
from yincai.analysis import routes as analysis_routes
from yincai.analysis.cache import ExamCache
from yincai.cockpit import pages as cockpit_pages
from yincai.cockpit import routes as cockpit_routes
from yincai.config import Settings
from yincai.db import make_engine
from yincai.governance import export_pages
from yincai.governance import pages as governance_pages
from yincai.governance import routes as governance_routes
from yincai.hub import imports_pages, itembank_pages
from yincai.hub import pages as hub_pages
from yincai.hub import routes as hub_routes
from yincai.practice import pages as practice_pages
from yincai.web import auth, errors
from yincai.web.csrf import CsrfMiddleware
from yincai.web.deps import DbSession
from yincai.web.fragments import FragmentCache
from yincai.web.ratelimit import LoginRateLimiter
from yincai.web.sessions import SessionCodec, SessionMiddleware

HERE = Path(__file__).parent


def create_app(settings: Settings) -> FastAPI:
    engine = make_engine(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Route code holds the GIL for most of its time: a few threads serve 50 concurrent users
        # as fast as anyio's default 40, and in arrival order instead of thrashing (p95).
        to_thread.current_default_thread_limiter().total_tokens = settings.web_threads
        yield
        engine.dispose()  # close pooled connections when the server stops

    app = FastAPI(
        lifespan=lifespan,
        title="因材 yincai",
        version=__version__,
        description="开源智能教育平台 API / open AI-for-education platform API",
    )
    # The published default key would let anyone forge a session: without a configured key,
    # sign with a random one (sessions then end when the server restarts).
    secret_key = settings.effective_secret_key()
    codec = SessionCodec(secret_key)
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_codec = codec
    app.state.login_limiter = LoginRateLimiter(engine, secret_key.encode())
    app.state.exam_cache = ExamCache()
    app.state.fragments = FragmentCache()
    # Added inner first: the session middleware runs before the CSRF check that reads it.
    app.add_middleware(CsrfMiddleware)
    app.add_middleware(
        SessionMiddleware, codec=codec, is_secure=bool(getattr(settings, "cookie_secure", False))
    )
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    errors.install(app)

    app.include_router(auth.router)
    app.include_router(hub_pages.router)
    app.include_router(hub_routes.router)
    app.include_router(governance_pages.router)
    app.include_router(governance_routes.router)
    app.include_router(export_pages.router)
    app.include_router(cockpit_pages.router)
    app.include_router(cockpit_routes.router)
    app.include_router(analysis_pages.router)
    app.include_router(analysis_routes.router)
    app.include_router(imports_pages.router)
    app.include_router(itembank_pages.router)
    app.include_router(practice_pages.router)

    @app.get("/health", tags=["system"])
    def health(session: DbSession) -> dict[str, str]:
        """Liveness and database reachability."""
        session.execute(text("SELECT 1"))
        return {"status": "ok", "database": session.get_bind().dialect.name, "version": __version__}

    return app


def create_app_from_environment() -> FastAPI:
    """The application of one worker process of ``yincai serve`` (settings from ``YINCAI_*``)."""
    return create_app(Settings())
