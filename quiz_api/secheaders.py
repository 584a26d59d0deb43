"""Security headers on every response, and the Content-Security-Policy the pages really satisfy.

Everything the site and the service show comes from this origin: the built lessons, Material's
bundle, our stylesheets, Swagger UI (served from the swagger-ui-bundle package). So the policy
allows 'self' and nothing else, with two exceptions found by building the site and reading it:

- Material puts four small scripts inline in every page (its local-storage helpers, palette and
  tabs restore, hash target), and overrides/main.html a fifth (it marks the page as scripted before
  it is styled, which saves a whole-page restyle on a phone). They are allowed by their sha256
  hashes, read from the built HTML at start-up (Material's helpers name the page's depth, "." or
  "../..", so there are a few variants), not by 'unsafe-inline'. Its `<script id="__config" type="application/json">` is data, never executed.
- Material's stylesheets draw icons with `data:` SVG images (mask-image), hence img-src data:.

Styles need no 'unsafe-inline': the built pages have no style attributes or <style> elements, and
the scripts set styles through the CSSOM, which a policy does not restrict. The browser journeys
(tests/browser) fail on any CSP violation reported in the console.
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_INLINE_SCRIPT = re.compile(rb"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.DOTALL)
_DATA_TYPE = re.compile(rb"""\btype\s*=\s*["']?application/(?:ld\+)?json""", re.IGNORECASE)
_SRC = re.compile(rb"\bsrc\s*=", re.IGNORECASE)

# Same for every response: no MIME sniffing, no framing by anyone, no path or query in the Referer
# sent to another site (a certificate code, an attempt id). "same-origin" keeps the full Referer on
# this site's own requests, so the Origin/Referer check of forms (sameorigin.py) still works.
COMMON = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
}


def script_hash(body: bytes) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(body).digest()).decode("ascii") + "'"


def inline_script_hashes(html: bytes) -> set[str]:
    """CSP hashes of the inline scripts that run (not those with src, nor JSON data blocks)."""
    found = set()
    for match in _INLINE_SCRIPT.finditer(html):
        attrs = match.group("attrs")
        if _SRC.search(attrs) or _DATA_TYPE.search(attrs):
            continue
        found.add(script_hash(match.group("body")))
    return found


def site_script_hashes(site_dir: Path) -> list[str]:
    """Every inline script of the built site's pages, hashed: read once at start-up."""
    found: set[str] = set()
    if site_dir.is_dir():
        for page in site_dir.rglob("*.html"):
            found |= inline_script_hashes(page.read_bytes())
    return sorted(found)


def content_security_policy(script_hashes: list[str]) -> str:
    scripts = " ".join(["'self'", *script_hashes])
    return "; ".join([
        "default-src 'self'",
        f"script-src {scripts}",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "worker-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


def adding_common(send: Send) -> Send:
    """`send` with COMMON added to the response's headers, as SecurityHeaders adds them: for the
    submission fast lane, which answers in front of the middleware."""

    async def send_with_headers(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = MutableHeaders(scope=message)
            for name, value in COMMON.items():
                headers.setdefault(name, value)
        await send(message)

    return send_with_headers


class SecurityHeaders:
    """Add COMMON to every response and the policy to every HTML one (unless the route set its own)."""

    def __init__(self, app: ASGIApp, policy: str) -> None:
        self.app = app
        self.policy = policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in COMMON.items():
                    headers.setdefault(name, value)
                if headers.get("content-type", "").startswith("text/html"):
                    headers.setdefault("content-security-policy", self.policy)
            await send(message)

        await self.app(scope, receive, send_with_headers)
