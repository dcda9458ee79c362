"""create_app(settings): the FastAPI application assembled from the web plumbing (``yincai.web``)
and every capability's pages and API, with the services the requests share (engine, job queue,
caches) and the bundled static assets."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from anyio import to_thread
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text
from starlette.types import ASGIApp

from yincai import __version__
from yincai.analysis import joint_pages, learner_pages
from yincai.analysis import pages as analysis_pages
from yincai.analysis import routes as analysis_routes
from yincai.analysis.cache import ExamCache, KeptViews
from yincai.api import routes as api_routes
from yincai.assistant import pages as assistant_pages
from yincai.classroom import pages as classroom_pages
from yincai.cockpit import pages as cockpit_pages
from yincai.cockpit import routes as cockpit_routes
from yincai.cockpit.cache import CockpitCache, warm_in_background
from yincai.config import Settings
from yincai.db import make_engine
from yincai.documents import pages as documents_pages
from yincai.fairness import pages as fairness_pages
from yincai.governance import export_pages, login_pages, two_factor_pages
from yincai.governance import pages as governance_pages
from yincai.governance import routes as governance_routes
from yincai.governance import service as governance_service
from yincai.growth import pages as growth_pages
from yincai.homework import pages as homework_pages
from yincai.hub import assessments_pages, imports_pages, itembank_pages
from yincai.hub import pages as hub_pages
from yincai.hub import routes as hub_routes
from yincai.jobs import Jobs
from yincai.lessons import pages as lesson_pages
from yincai.library import pages as library_pages
from yincai.library import recommendation_pages
from yincai.marking import pages as marking_pages
from yincai.practice import pages as practice_pages
from yincai.privacy import pages as privacy_pages
from yincai.redaction import install_redaction
from yincai.web import STATIC_DIR, docs, errors
from yincai.web.csrf import CsrfMiddleware
from yincai.web.denials import DenialAuditMiddleware
from yincai.web.deps import DbSession
from yincai.web.fragments import FragmentCache
from yincai.web.headers import SecurityHeadersMiddleware
from yincai.web.limits import BodyLimitMiddleware
from yincai.web.proxies import TrustedProxyMiddleware
from yincai.web.ratelimit import LoginRateLimiter
from yincai.web.sessions import SessionCodec, SessionMiddleware


class YincaiApp(FastAPI):
    """FastAPI with the security headers wrapped around the whole stack: middleware added
    with ``add_middleware`` runs inside Starlette's server-error middleware, whose 500 would
    miss them."""

    def build_middleware_stack(self) -> ASGIApp:
        settings: Settings = self.state.settings
        return SecurityHeadersMiddleware(
            super().build_middleware_stack(),
            hsts_max_age=settings.hsts_max_age,
            hsts_include_subdomains=settings.hsts_include_subdomains,
        )


def warm_up() -> None:
    """What a first page would otherwise wait for: matplotlib's mathtext, loaded and its grammar
    built (about 0.6 s), by setting one expression as the item pages and reports do."""
    from yincai.reports.maths import render_math

    render_math(r"x^{2}+\frac{1}{2}")


def create_app(settings: Settings) -> FastAPI:
    install_redaction()  # no phone, ID-card or student number in any log record
    engine = make_engine(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Route code holds the GIL for most of its time: a few threads serve 50 concurrent users
        # as fast as anyio's default 40, and in arrival order instead of thrashing (p95).
        to_thread.current_default_thread_limiter().total_tokens = settings.web_threads
        if settings.warm_up:  # before the server answers: the first page must not wait for it
            await to_thread.run_sync(warm_up)
            # seconds: read after the server answers (a cockpit page meanwhile waits for it)
            app.state.cockpit_warm_up = warm_in_background(engine, app.state.cockpit_cache)
        yield
        engine.dispose()  # close pooled connections when the server stops

    app = YincaiApp(
        lifespan=lifespan,
        title="因材 yincai",
        version=__version__,
        description="开源智能教育平台 API / open AI-for-education platform API",
        docs_url=None,  # web/docs.py serves /docs and /redoc from bundled files, not a CDN
        redoc_url=None,
    )
    # The published default key would let anyone forge a session: without a configured key,
    # sign with a random one (sessions then end when the server restarts).
    secret_key = settings.effective_secret_key()
    policy = governance_service.SessionPolicy(
        idle=timedelta(minutes=settings.session_idle_minutes),
        lifetime=timedelta(hours=settings.session_max_hours),
    )
    codec = SessionCodec(secret_key, max_age_s=int(policy.lifetime.total_seconds()))
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_codec = codec
    app.state.session_policy = policy
    app.state.secret_box = governance_service.SecretBox(secret_key)
    app.state.login_limiter = LoginRateLimiter(
        secret_key.encode(),
        max_per_account=settings.login_max_failures_per_account,
        max_per_address=settings.login_max_failures_per_address,
        window_s=settings.login_window_minutes * 60,
    )
    app.state.exam_cache = ExamCache()
    app.state.kept_views = KeptViews()
    app.state.cockpit_cache = CockpitCache()
    app.state.jobs = Jobs(settings)
    app.state.fragments = FragmentCache()
    # Added inner first: the proxy headers set the client and scheme that the session cookie
    # (Secure) and the login throttle read; the session runs before the CSRF check that reads
    # it, and the refusals' audit sees the CSRF middleware's 403s as well as the routes'.
    app.add_middleware(CsrfMiddleware)
    app.add_middleware(DenialAuditMiddleware, record_denial=governance_service.record_denial)
    app.add_middleware(SessionMiddleware, codec=codec, always_secure=settings.cookie_secure)
    app.add_middleware(TrustedProxyMiddleware, networks=settings.trusted_proxy_networks())
    # Outermost: a body over its limit is refused before anything buffers it.
    app.add_middleware(
        BodyLimitMiddleware,
        upload_bytes=settings.max_upload_mb * 2**20 + 2**16,  # multipart framing
        request_bytes=settings.max_request_kb * 1024,
    )
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    errors.install(app)

    app.include_router(login_pages.router)
    app.include_router(docs.router)
    app.include_router(two_factor_pages.router)
    app.include_router(hub_pages.router)
    app.include_router(hub_routes.router, responses=errors.API_ERRORS)
    app.include_router(governance_pages.router)
    app.include_router(governance_routes.router, responses=errors.API_ERRORS)
    app.include_router(export_pages.router)
    app.include_router(fairness_pages.router)
    app.include_router(cockpit_pages.router)
    app.include_router(cockpit_routes.router, responses=errors.API_ERRORS)
    app.include_router(analysis_pages.router)
    app.include_router(learner_pages.router)
    app.include_router(growth_pages.router)
    app.include_router(joint_pages.router)
    app.include_router(analysis_routes.router, responses=errors.API_ERRORS)
    app.include_router(imports_pages.router)
    app.include_router(assessments_pages.router)
    app.include_router(itembank_pages.router)
    app.include_router(practice_pages.router)
    app.include_router(homework_pages.router)
    app.include_router(classroom_pages.router)
    app.include_router(library_pages.router)
    app.include_router(recommendation_pages.router)
    app.include_router(lesson_pages.router)
    app.include_router(assistant_pages.router)
    app.include_router(marking_pages.router)
    app.include_router(documents_pages.router)
    app.include_router(privacy_pages.router)
    api_routes.install(app)  # /api/v1 and its 422 answers

    @app.get("/health", tags=["system"])
    def health(session: DbSession) -> dict[str, str]:
        """Liveness and database reachability."""
        session.execute(text("SELECT 1"))
        return {"status": "ok", "database": session.get_bind().dialect.name, "version": __version__}

    return app


def create_app_from_environment() -> FastAPI:
    """The application of one worker process of ``yincai serve`` (settings from ``YINCAI_*``)."""
    return create_app(Settings())
