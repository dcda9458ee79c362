"""Security headers on every response, set in one place (docs/security.md#headers says why).

The Content-Security-Policy lets a page run only the platform's own script files: no inline
script, no event-handler attribute, no ``eval``, no style attribute or ``<style>`` element, nothing
from another host. Pages pass data to their scripts as ``data-`` attributes or JSON data blocks.
Only the two API documentation pages get a slightly wider policy (``DOCS_POLICIES``).

Every response but a static asset carries ``Cache-Control: no-store``: pages and API answers can
hold students' data and must not stay in a shared or back-button cache. Static assets may be
cached but are revalidated (their names carry no version, so an upgrade must reach browsers).
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

STATIC_PREFIX = "/static/"
PAGE_POLICY: Mapping[str, str] = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",  # data: for the maths images drawn as inline SVG
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
# ReDoc's bundle inserts <style> elements (styled-components) as it loads, before any nonce
# could be handed to it, and runs its search index in a worker built from a blob.
DOCS_POLICIES: Mapping[str, Mapping[str, str]] = {
    "/redoc": {**PAGE_POLICY, "style-src": "'self' 'unsafe-inline'", "worker-src": "'self' blob:"},
}
# Features no page uses; whoever adds one (a camera for scanned answer sheets) allows it here.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer", "autoplay", "camera", "display-capture", "encrypted-media",
        "geolocation", "gyroscope", "magnetometer", "microphone", "midi", "payment",
        "picture-in-picture", "publickey-credentials-get", "screen-wake-lock", "serial", "usb",
        "xr-spatial-tracking",
    )
)  # fmt: skip
FIXED_HEADERS: Mapping[str, str] = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    # URLs carry student ids: no Referer leaves the site. Not no-referrer: Chrome then sends
    # "Origin: null" on the site's own form posts, which would defeat an Origin check.
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": PERMISSIONS_POLICY,
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}


def content_security_policy(path: str) -> str:
    """The policy of the response to ``path``: the pages' one, or a documentation page's."""
    policy = DOCS_POLICIES.get(path, PAGE_POLICY)
    return "; ".join(f"{directive} {sources}" for directive, sources in policy.items())


def security_headers(
    path: str, *, is_https: bool, hsts_max_age: int, hsts_include_subdomains: bool = False
) -> dict[str, str]:
    """Every security header of the response to ``path`` (without the app's root path)."""
    headers = dict(FIXED_HEADERS)
    headers["Content-Security-Policy"] = content_security_policy(path)
    headers["Cache-Control"] = "no-cache" if path.startswith(STATIC_PREFIX) else "no-store"
    # Browsers ignore HSTS over plain HTTP; sending it there would only mislead a reader.
    if is_https and hsts_max_age > 0:
        subdomains = "; includeSubDomains" if hsts_include_subdomains else ""
        headers["Strict-Transport-Security"] = f"max-age={hsts_max_age}{subdomains}"
    return headers


class SecurityHeadersMiddleware:
    """Sets ``security_headers`` on every HTTP response, replacing any value a route set.

    It wraps the whole application (error pages included: see ``YincaiApp``)."""

    def __init__(
        self, app: ASGIApp, *, hsts_max_age: int, hsts_include_subdomains: bool = False
    ) -> None:
        self.app = app
        self.hsts_max_age = hsts_max_age
        self.hsts_include_subdomains = hsts_include_subdomains

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path, root = str(scope["path"]), str(scope.get("root_path", ""))
        headers = security_headers(
            path.removeprefix(root) if root and path.startswith(root) else path,
            is_https=scope.get("scheme") == "https",
            hsts_max_age=self.hsts_max_age,
            hsts_include_subdomains=self.hsts_include_subdomains,
        )

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                response_headers = MutableHeaders(scope=message)
                for name, value in headers.items():
                    response_headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)
