"""The built lesson site, served by the application (mounted last, at /).

Caching: hashed assets are immutable for a year; pages and the search index are revalidated
(`no-cache` with ETag and Last-Modified), so a repeat visit costs a 304 per page, not a download.

Text files are sent compressed when the browser accepts it: the build writes `x.br` and `x.gz`
beside each one (overrides/hooks/precompress.py), and a request for `x` gets the smallest copy the
browser's Accept-Encoding allows, with Content-Encoding and `Vary: Accept-Encoding`, so a shared
cache keeps the copies apart. Each copy has its own ETag (FileResponse derives it from the file).
"""

from __future__ import annotations

import mimetypes
import os
import re
from urllib.parse import quote

from starlette.datastructures import Headers
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.staticfiles import NotModifiedResponse, StaticFiles
from starlette.types import Scope

_LEADING_SLASHES = re.compile(r"^[/\\]+")
# Files whose name changes whenever their content does: Material's bundles and stylesheets
# (bundle.a5f9d56c.min.js, main.57a0d79d.min.css, workers/search.a7633da7.min.js) and fonts.
# They may be kept for a year without asking again; everything else (the pages, the search index,
# our own stylesheets) is revalidated on each use, a 304 when unchanged.
_IMMUTABLE = re.compile(r"^assets/.*\.[0-9a-f]{8}\.min\.(?:js|css)$|\.(?:woff2?|ttf|otf|eot)$")
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
# Preference order when several are acceptable: brotli is the smaller.
ENCODINGS = (("br", ".br"), ("gzip", ".gz"))
COMPRESSED_SUFFIXES = {".html", ".css", ".js", ".json", ".svg", ".xml", ".txt", ".webmanifest"}


def accepted_encodings(accept_encoding: str) -> set[str]:
    """Codings the client accepts (q > 0), from an Accept-Encoding header; `*` stands for any."""
    accepted, refused = set(), set()
    for item in accept_encoding.lower().split(","):
        name, _, params = item.strip().partition(";")
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        (accepted if q > 0 else refused).add(name.strip())
    if "*" in accepted:
        accepted |= {name for name, _ in ENCODINGS} - refused
    return accepted - refused


class SiteFiles(StaticFiles):
    """StaticFiles for the MkDocs output: index.html for directories, Material's 404.html for misses."""

    def __init__(self, *, directory) -> None:
        super().__init__(directory=directory, html=True)
        self.root = os.path.realpath(directory)

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if isinstance(response, RedirectResponse):
            # A directory asked without its trailing slash. Starlette answers with an absolute URL
            # built from the Host header, so `Host: evil.example` sent people to evil.example. The
            # redirect names a path on this host instead; leading slashes collapse to one, or
            # "//evil.example" (a directory too, once normalised) would be a link to another host.
            target = _LEADING_SLASHES.sub("/", scope.get("root_path", "") + scope["path"]) + "/"
            query = scope.get("query_string", b"").decode("latin-1")
            location = quote(target, safe="/!$&'()*+,;=:@-._~")
            response.headers["location"] = location + (f"?{query}" if query else "")
        elif response.status_code == 404 and os.path.splitext(path)[1] not in ("", ".html"):
            # A missing file that is not a page gets an empty 404, not Material's 32 kB one: Material
            # asks for sitemap.xml beside each hreflang alternate (to keep the page on a language
            # switch), and most of those do not exist.
            return Response(status_code=404, headers={"cache-control": REVALIDATE})
        return response

    def file_response(self, full_path, stat_result: os.stat_result, scope: Scope,
                      status_code: int = 200) -> Response:
        request_headers = Headers(scope=scope)
        path = os.fspath(full_path)
        media_type = mimetypes.guess_type(path)[0] or "text/plain"
        relative = os.path.relpath(os.path.realpath(path), self.root).replace(os.sep, "/")
        headers = {"cache-control": IMMUTABLE if _IMMUTABLE.search(relative) else REVALIDATE}
        encoding = None
        if os.path.splitext(path)[1] in COMPRESSED_SUFFIXES:
            headers["vary"] = "Accept-Encoding"
            accepted = accepted_encodings(request_headers.get("accept-encoding", ""))
            for name, suffix in ENCODINGS:
                if name in accepted:
                    try:
                        packed = os.stat(path + suffix)
                    except OSError:
                        continue
                    path, stat_result, encoding = path + suffix, packed, name
                    break
        response = FileResponse(path, status_code=status_code, headers=headers, media_type=media_type,
                                stat_result=stat_result)
        if encoding:
            response.headers["content-encoding"] = encoding
        if self.is_not_modified(response.headers, request_headers):
            return NotModifiedResponse(response.headers)
        return response
