"""Web plumbing shared by every capability's pages and API: request dependencies (the database
session, the logged-in account), templating and i18n, CSRF, sessions, security headers, body limits,
proxies, error mapping and the audit of refusals, and the bundled static assets. It imports no
capability; ``yincai.app`` assembles the application from the capabilities' routers."""

from pathlib import Path

STATIC_DIR = Path(__file__).parent / "static"
