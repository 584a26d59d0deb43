"""HTML forms are accepted only from this site's own pages.

The CSRF token is a double submit: a cookie and a hidden field that must match. A cookie planted by
someone who can write cookies for this host (a sibling subdomain, plain HTTP on the same name) was
enough to forge a form. Browsers name the page a form comes from in `Origin` (every POST from a
browser of the last years) or, failing that, `Referer`; a form whose page is on another origin is
refused with 403 before the body is read or any handler runs. A request naming neither (an old
browser, a privacy extension) goes on, and the CSRF token still applies. The JSON API is not
concerned: a cross-origin JSON POST needs a CORS preflight the API never grants.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from quiz_api.labels import pick_lang, t
from quiz_api.pages import render_error

log = logging.getLogger("kynangso")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
DEFAULT_PORTS = {"http": 80, "https": 443}
Origin = tuple[str, str, int]


def origin_of(url: str) -> Origin | None:
    """(scheme, host, port) of an absolute http(s) URL, ports made explicit; None when it is not one
    (`null`, a relative or malformed URL)."""
    try:
        parts = urlsplit(url.strip())
        scheme, host = parts.scheme.lower(), parts.hostname
        port = parts.port or DEFAULT_PORTS.get(scheme)
    except ValueError:  # a port that is not a number, an unclosed [IPv6 bracket
        return None
    if scheme not in DEFAULT_PORTS or not host or port is None:
        return None
    return scheme, host, port


def own_origins(request: Request) -> set[Origin]:
    """The request's own origin (scheme, Host header) and the configured public address's."""
    found = {origin_of(f"{request.url.scheme}://{request.headers.get('host', '')}")}
    public_url = request.app.state.settings.public_url
    if public_url:  # behind a proxy the browser's origin is the public one (https, another port)
        found.add(origin_of(public_url))
    found.discard(None)
    return found  # type: ignore[return-value]


def is_cross_origin(request: Request) -> bool:
    """True when the request names a page (Origin, else Referer) outside this site's origins."""
    claimed = request.headers.get("origin") or request.headers.get("referer")
    if not claimed:
        return False
    return origin_of(claimed) not in own_origins(request)


class SameOriginForms:
    """Refuse a form (any unsafe method outside /api/) sent from another origin's page."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] not in SAFE_METHODS \
                and not scope["path"].startswith("/api/"):
            request = Request(scope)
            if is_cross_origin(request):
                log.warning("form refused: %s %s came from another origin (%.100r)", scope["method"],
                            scope["path"], request.headers.get("origin") or request.headers.get("referer"))
                lang = pick_lang(request.query_params.get("lang") or request.headers.get("accept-language"))
                response = render_error(request, t("cross_origin", lang), 403, lang)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
