"""The client's address and scheme behind a reverse proxy, believed only from trusted proxies.

``X-Forwarded-For`` is a list anyone can start: a client writes whatever it likes and each proxy
appends the address it saw. So the headers count only when the direct peer is a configured proxy
(``trusted_proxies``), and the client is the right-most address that is not a trusted proxy: the
one the nearest trusted proxy saw. ``X-Forwarded-Proto`` (right-most value) then gives the scheme,
so a session cookie is marked ``Secure`` when the browser spoke HTTPS to the proxy.

``yincai serve`` starts uvicorn with ``proxy_headers=False``: uvicorn itself would otherwise trust
these headers from 127.0.0.1, and anyone who can reach the server on loopback (or through a
proxy that forwards the header untouched) could pick a new address on every login attempt.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
SCHEMES = ("http", "https")


def is_trusted(address: str, networks: Sequence[Network]) -> bool:
    try:
        parsed = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped is not None:
        parsed = parsed.ipv4_mapped
    return any(parsed in network for network in networks)


def client_behind(forwarded_for: str, networks: Sequence[Network]) -> str | None:
    """The right-most address of ``X-Forwarded-For`` that is not a trusted proxy (the left-most
    one when every hop is trusted); None for an empty header."""
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    if not hops:
        return None
    return next((hop for hop in reversed(hops) if not is_trusted(hop, networks)), hops[0])


class TrustedProxyMiddleware:
    """Rewrites ``scope["client"]`` and ``scope["scheme"]`` from the forwarding headers when,
    and only when, the direct peer is a trusted proxy."""

    def __init__(self, app: ASGIApp, *, networks: Sequence[Network]) -> None:
        self.app = app
        self.networks = list(networks)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        peer = scope.get("client")
        is_http = scope["type"] == "http" and self.networks
        if is_http and peer and is_trusted(peer[0], self.networks):
            headers = Headers(scope=scope)
            client = client_behind(",".join(headers.getlist("x-forwarded-for")), self.networks)
            if client is not None:
                scope["client"] = (client, 0)
            protos = ",".join(headers.getlist("x-forwarded-proto")).split(",")
            scheme = protos[-1].strip().lower()
            if scheme in SCHEMES:
                scope["scheme"] = scheme
        await self.app(scope, receive, send)
