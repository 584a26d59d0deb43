"""Server-rendered HTML pages: plain forms that work without JavaScript, in the site's style."""

from __future__ import annotations

import hmac
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from quiz_api import cookies
from quiz_api.errors import Forbidden
from quiz_api.labels import GROUPS, t

# The shared layouts live here; a domain keeps its own pages' templates in its package (e.g. classes/templates).
_HERE = Path(__file__).parent
TEMPLATES = Jinja2Templates(directory=[_HERE / "templates",
                                       *sorted(d for d in _HERE.parent.glob("*/templates") if d != _HERE / "templates")])
CSRF_FIELD = "csrf_token"


@lru_cache
def site_stylesheets(site_dir: Path) -> tuple[str, ...]:
    """The built site's stylesheets (Material's hashed bundle, palette, ours), so pages look like the site."""
    found = []
    for pattern in ("assets/stylesheets/main.*.min.css", "assets/stylesheets/palette.*.min.css"):
        found += sorted("/" + p.relative_to(site_dir).as_posix() for p in site_dir.glob(pattern))
    for name in ("extra.css", "app.css"):
        if (site_dir / "assets" / "stylesheets" / name).exists():
            found.append(f"/assets/stylesheets/{name}")
    return tuple(found)


def csrf_token(request: Request) -> str:
    """The form token: the one already in the cookie, or a new one (set by `render`)."""
    token = cookies.read(request, cookies.CSRF)
    if not token or len(token) != 43:
        token = getattr(request.state, "new_csrf", None) or secrets.token_urlsafe(32)
        request.state.new_csrf = token
    return token


def check_csrf(request: Request, submitted: str | None) -> None:
    """Double-submit check: the hidden field must equal the HttpOnly, SameSite=Strict cookie."""
    cookie = cookies.read(request, cookies.CSRF)
    # Compared as bytes: compare_digest refuses str with non-ASCII characters (a TypeError, a 500),
    # and either side may carry anything a client sends.
    if not cookie or not submitted or not hmac.compare_digest(cookie.encode("utf-8", "surrogatepass"),
                                                              submitted.encode("utf-8", "surrogatepass")):
        raise Forbidden("csrf_failed")


def render(request: Request, template: str, lang: str, status_code: int = 200,
           headers: dict[str, str] | None = None, **context: Any) -> HTMLResponse:
    settings = request.app.state.settings
    context.update(
        lang=lang,
        en=lang == "en",
        other_lang="vi" if lang == "en" else "en",
        lang_query="?lang=en" if lang == "en" else "",  # keeps the language on a link (Vietnamese is the default)
        switch_query="" if lang == "en" else "?lang=en",  # the same page in the other language
        stylesheets=site_stylesheets(settings.site_dir),
        csrf_field=CSRF_FIELD,
        csrf_token=csrf_token(request),
        groups=GROUPS,
        home_url="/en/" if lang == "en" else "/",
        path=request.url.path,
        t=lambda key, **params: t(key, lang, **params),
    )
    response = TEMPLATES.TemplateResponse(request, template, context, status_code=status_code, headers=headers)
    new = getattr(request.state, "new_csrf", None)
    if new:
        cookies.write(request, response, cookies.CSRF, new, samesite="strict")
    for name in getattr(request.state, "expired_cookies", ()):
        cookies.forget(request, response, name)
    response.headers["Cache-Control"] = "no-store"
    return response


def render_error(request: Request, message: str, status: int, lang: str,
                 headers: dict[str, str] | None = None) -> Response:
    return render(request, "error.html", lang, status_code=status, headers=headers, message=message,
                  status=status)
