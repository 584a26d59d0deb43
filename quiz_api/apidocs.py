"""The API's interactive documentation: Swagger UI from the swagger-ui-bundle package, served here.

FastAPI's default page loads Swagger UI from a CDN, so every visit told a third party that someone
reads this API, and the page broke offline and under this site's Content-Security-Policy. Here the
assets come from the installed package (/static/swagger-ui/) and the configuration from
quiz_api/static/swagger-init.js: no request leaves the origin, no inline script.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

import swagger_ui_bundle
from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from quiz_api import PACKAGE_DIR

SWAGGER_UI_DIR = Path(str(swagger_ui_bundle.swagger_ui_path))
APP_STATIC_DIR = PACKAGE_DIR / "static"
SWAGGER_UI_URL = "/static/swagger-ui"
APP_STATIC_URL = "/static/app"


def docs_page(*, title: str, openapi_url: str) -> str:
    return f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{escape(title)}</title>
  <link rel="stylesheet" href="{SWAGGER_UI_URL}/swagger-ui.css">
  <link rel="icon" type="image/png" href="{SWAGGER_UI_URL}/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui" data-openapi-url="{escape(openapi_url)}"
       data-oauth2-redirect-url="{SWAGGER_UI_URL}/oauth2-redirect.html"></div>
  <script src="{SWAGGER_UI_URL}/swagger-ui-bundle.js"></script>
  <script src="{APP_STATIC_URL}/swagger-init.js"></script>
</body>
</html>
"""


def install(app: FastAPI, *, docs_url: str, openapi_url: str) -> None:
    """The docs route and the static assets it and the pages use (mount these before the site's)."""
    page = docs_page(title=f"{app.title} — Swagger UI", openapi_url=openapi_url)

    @app.get(docs_url, include_in_schema=False)
    async def api_docs() -> HTMLResponse:
        return HTMLResponse(page)

    app.mount(SWAGGER_UI_URL, StaticFiles(directory=SWAGGER_UI_DIR), name="swagger-ui")
    app.mount(APP_STATIC_URL, StaticFiles(directory=APP_STATIC_DIR), name="app-static")
