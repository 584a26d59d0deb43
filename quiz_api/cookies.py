"""The cookies the pages set, in one place: their names, their flags and the __Host- prefix.

Behind HTTPS (`KYNANGSO_COOKIE_SECURE`) every name carries the `__Host-` prefix: a browser accepts
such a cookie only when it is Secure, has Path=/ and no Domain, set by this very host. A sibling
subdomain or a man in the middle on plain HTTP can then no longer plant a CSRF token, a learner
code or an organiser session that the server would read as its own.
"""

from __future__ import annotations

from typing import Literal

from starlette.requests import HTTPConnection
from starlette.responses import Response

CSRF = "kns_csrf"
LEARNER = "kns_learner"
MYDATA = "kns_mydata"  # "My data" opened by a code typed on this visit (privacy/pages.py)
ORGANISER = "kns_organiser"
HOST_PREFIX = "__Host-"


def name(base: str, *, secure: bool) -> str:
    """The cookie's name on the wire: `__Host-kns_csrf` over HTTPS, `kns_csrf` otherwise."""
    return HOST_PREFIX + base if secure else base


def _secure(request: HTTPConnection) -> bool:
    return bool(request.app.state.settings.cookie_secure)


def read(request: HTTPConnection, base: str) -> str | None:
    """The value this browser sent, under the name the settings give the cookie (or None)."""
    return request.cookies.get(name(base, secure=_secure(request)))


def write(request: HTTPConnection, response: Response, base: str, value: str, *,
          samesite: Literal["lax", "strict"], max_age: int | None = None) -> None:
    """An HttpOnly cookie for the whole site; Secure and __Host- prefixed behind HTTPS."""
    secure = _secure(request)
    response.set_cookie(name(base, secure=secure), value, max_age=max_age, httponly=True, samesite=samesite,
                        secure=secure, path="/")


def forget(request: HTTPConnection, response: Response, base: str) -> None:
    """Delete the cookie (a __Host- cookie is only replaced by one that is Secure too)."""
    secure = _secure(request)
    response.delete_cookie(name(base, secure=secure), path="/", secure=secure, httponly=True)
