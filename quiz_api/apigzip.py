"""API answers over 1 kB leave gzip-compressed when the client accepts it (Starlette's GZipMiddleware).

Only under /api/: the HTML pages carry a CSRF token next to text a visitor typed (a form shown
again with its errors), the situation the BREACH attack needs to read a secret from the size of
compressed answers over HTTPS; the JSON API carries no such pair. The built site is compressed at
build time instead (staticsite.py). The submission fast lane (attempts/router.py) answers before
this middleware and stays uncompressed, and so does the submission route, so that both answer alike: a 10-question result of a real bank is 8.7 kB, gzip level 6
makes it 3.0 kB but took 0.53 ms (level 1: 3.4 kB, 0.22 ms) on the shared test machine, against a
submission that costs about 1 ms in all; the bytes saved matter less than the submissions per
second on the hot path.
"""

from __future__ import annotations

from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

MINIMUM_SIZE = 1024


class ApiGZip:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.gzip = GZipMiddleware(app, minimum_size=MINIMUM_SIZE, compresslevel=6)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and path.startswith("/api/") and not path.endswith("/submit"):
            await self.gzip(scope, receive, send)
        else:
            await self.app(scope, receive, send)
