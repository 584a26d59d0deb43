"""Who is asking: organiser dependencies for the API (bearer token) and the web pages (session cookie).

    CurrentOrganiser  any active organiser, from `Authorization: Bearer <token>` (401 otherwise)
    AdminOrganiser    a province admin (403 for a unit organiser)
    WebOrganiser      any organiser logged in on the web (redirect to /organiser/login otherwise)
    WebAdmin          a province admin logged in on the web (403 for a unit organiser)

Other domains use these, e.g. `def revoke(..., who: AdminOrganiser)`; `who.actor` names the person
in the audit log. `session_organiser(request)` returns the web organiser or None, for pages that
show something different to a logged-in organiser.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.orm import Session

from quiz_api import cookies
from quiz_api.errors import Forbidden, Unauthorized
from quiz_api.organisers import security
from quiz_api.organisers import service as organisers
from quiz_api.organisers.models import Organiser
from quiz_api.organisers.service import Principal

API_PURPOSE = "api-token"
WEB_PURPOSE = "web-session"
LOGIN_PATH = "/organiser/login"

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


class LoginRequired(Exception):
    """A web page needs a logged-in organiser; main.py turns this into a redirect to the login page."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


def login_url(next_path: str) -> str:
    return f"{LOGIN_PATH}?next={quote(next_path, safe='/?=&')}"


def app_secret_key(request: Request) -> bytes:
    """The signing key, read (or generated into var/) once per process."""
    state = request.app.state
    key = getattr(state, "secret_key_bytes", None)
    if key is None:
        key = security.secret_key(state.settings)
        state.secret_key_bytes = key
    return key


def log_in(request: Request, db: Session, username: str, password: str) -> Organiser:
    """The organiser with these credentials, behind every guard a login has (the API and the web
    form both come here): at most login_attempts_per_minute tries per client and username, at most
    login_failures_per_client_per_minute failures per client whatever the username (rotating
    usernames is limited too), and a password-hash slot (HashSlots), taken before the account is
    read so a waiting login holds no database connection."""
    state = request.app.state
    state.login_limiter.check(request, organisers.normalise_username(username)[:64])
    state.limiters.login_failures.refuse_if_blocked(request)
    with state.hash_slots():
        try:
            return organisers.authenticate(db=db, username=username, password=password)
        except Unauthorized:
            state.limiters.login_failures.record(request)
            raise


def _principal(request: Request, token: str, purpose: str) -> Principal:
    try:
        payload = security.unsign(token, key=app_secret_key(request), purpose=purpose)
    except security.TokenError as exc:
        raise Unauthorized("token_expired" if exc.expired else "token_invalid") from exc
    with request.app.state.database.reading() as db:
        who = organisers.principal_for_token(db=db, payload=payload)
    if who is None:
        raise Unauthorized("token_invalid")
    return who


def bearer_organiser(request: Request, token: Annotated[str | None, Depends(oauth2_scheme)]) -> Principal:
    if not token:
        raise Unauthorized("token_missing")
    return _principal(request, token, API_PURPOSE)


def admin_organiser(who: Annotated[Principal, Depends(bearer_organiser)]) -> Principal:
    if not who.is_admin:
        raise Forbidden("admin_only")
    return who


def session_organiser(request: Request) -> Principal | None:
    """The organiser logged in on this browser, or None (no, forged, expired or revoked session)."""
    token = cookies.read(request, cookies.ORGANISER)
    if not token:
        return None
    try:
        return _principal(request, token, WEB_PURPOSE)
    except Unauthorized:
        return None


def require_web_organiser(request: Request) -> Principal:
    who = session_organiser(request)
    if who is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(target)
    return who


def require_web_admin(who: Annotated[Principal, Depends(require_web_organiser)]) -> Principal:
    if not who.is_admin:
        raise Forbidden("admin_only")
    return who


CurrentOrganiser = Annotated[Principal, Depends(bearer_organiser)]
AdminOrganiser = Annotated[Principal, Depends(admin_organiser)]
WebOrganiser = Annotated[Principal, Depends(require_web_organiser)]
WebAdmin = Annotated[Principal, Depends(require_web_admin)]
