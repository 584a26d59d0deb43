"""The built lesson site, served by the application (mounted last, at /)."""

from __future__ import annotations

import re
from urllib.parse import quote

from starlette.responses import RedirectResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

_LEADING_SLASHES = re.compile(r"^[/\\]+")


class SiteFiles(StaticFiles):
    """StaticFiles for the MkDocs output: index.html for directories, Material's 404.html for misses."""

    def __init__(self, *, directory) -> None:
        super().__init__(directory=directory, html=True)

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if isinstance(response, RedirectResponse):
            # A directory asked without its trailing slash. Starlette answers with an absolute URL
            # built from the Host header, so `Host: evil.example` sent people to evil.example. The
            # redirect names a path on this host instead; leading slashes collapse to one, or
            # "//evil.example" (a directory too, once normalised) would be a link to another host.
            target = _LEADING_SLASHES.sub("/", scope.get("root_path", "") + scope["path"]) + "/"
            query = scope.get("query_string", b"").decode("latin-1")
            response.headers["location"] = quote(target, safe="/!$&'()*+,;=:@-._~") + (f"?{query}" if query else "")
        return response
