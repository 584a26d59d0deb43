"""The learner behind a request: by a typed code through the guessing limiter, or by the cookie
this browser carries (set when the learner registers or resumes, read by the quiz, certificate and
my-data pages)."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from quiz_api.errors import NotFound
from quiz_api.learners import service as learners
from quiz_api.learners.models import Learner

LEARNER_COOKIE = "kns_learner"
# "My data" opens only for a code typed on this visit (privacy/pages.py signs this cookie): on a shared
# computer the learner cookie alone shows no personal data.
MYDATA_COOKIE = "kns_mydata"


def find_learner(request: Request, db: Session, code: str) -> Learner:
    """learners.find_by_code, refused while the client is over its guessing limit; every miss
    (mistyped, unknown or erased code) counts against the client."""
    return request.app.state.code_limiter.guard(request, lambda: learners.find_by_code(db=db, code=code))


def cookie_learner(request: Request) -> Learner | None:
    """The learner whose code this browser carries, or None; through the guessing limiter, since a
    forged cookie is a guess like any other (over the limit, TooSoon is raised). A cookie that opens
    nothing (an erased or forged code) is expired by the page (pages.render), so it counts once,
    not at every page view."""
    code = request.cookies.get(LEARNER_COOKIE)
    if not code:
        return None
    with request.app.state.database.reading() as db:
        try:
            return find_learner(request, db, code)
        except NotFound:
            expire_cookie(request, LEARNER_COOKIE)
            return None


def expire_cookie(request: Request, name: str) -> None:
    """Ask the page being rendered to delete this cookie (pages.render reads the list)."""
    expired = getattr(request.state, "expired_cookies", None)
    if expired is None:
        expired = request.state.expired_cookies = []
    expired.append(name)


REMEMBER_SECONDS = 365 * 24 * 3600


def set_learner_cookie(request: Request, response: Response, code: str, *, remember: bool = False) -> None:
    """The learner's code in this browser: for the browser session only (a shared computer forgets
    it when the browser closes) unless the learner ticked "remember me on this device"."""
    response.set_cookie(LEARNER_COOKIE, code, max_age=REMEMBER_SECONDS if remember else None, httponly=True,
                        samesite="lax", secure=request.app.state.settings.cookie_secure, path="/")


def forget_learner_cookie(response: Response) -> None:
    """This browser forgets the learner: the code and the opened "My data"."""
    response.delete_cookie(LEARNER_COOKIE, path="/")
    response.delete_cookie(MYDATA_COOKIE, path="/learner")
