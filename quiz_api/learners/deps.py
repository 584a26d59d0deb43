"""The learner behind a request: by a typed code through the guessing limiter, or by the cookie
this browser carries (set when the learner registers or resumes, read by the quiz, certificate and
my-data pages)."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from quiz_api import cookies
from quiz_api.errors import NotFound
from quiz_api.learners import service as learners
from quiz_api.learners.models import Learner


def find_learner(request: Request, db: Session, code: str) -> Learner:
    """learners.find_by_code, refused while the client is over its guessing limit; every miss
    (mistyped, unknown or erased code) counts against the client."""
    return request.app.state.code_limiter.guard(request, lambda: learners.find_by_code(db=db, code=code))


def cookie_learner(request: Request) -> Learner | None:
    """The learner whose code this browser carries, or None; through the guessing limiter, since a
    forged cookie is a guess like any other (over the limit, TooSoon is raised). A cookie that opens
    nothing (an erased or forged code) is expired by the page (pages.render), so it counts once,
    not at every page view."""
    code = cookies.read(request, cookies.LEARNER)
    if not code:
        return None
    with request.app.state.database.reading() as db:
        try:
            return find_learner(request, db, code)
        except NotFound:
            expire_cookie(request, cookies.LEARNER)
            return None


def expire_cookie(request: Request, name: str) -> None:
    """Ask the page being rendered to delete this cookie (pages.render reads the list; base name)."""
    expired = getattr(request.state, "expired_cookies", None)
    if expired is None:
        expired = request.state.expired_cookies = []
    expired.append(name)


REMEMBER_SECONDS = 365 * 24 * 3600


def set_learner_cookie(request: Request, response: Response, code: str, *, remember: bool = False) -> None:
    """The learner's code in this browser: for the browser session only (a shared computer forgets
    it when the browser closes) unless the learner ticked "remember me on this device"."""
    cookies.write(request, response, cookies.LEARNER, code, samesite="lax",
                  max_age=REMEMBER_SECONDS if remember else None)


def forget_learner_cookie(request: Request, response: Response) -> None:
    """This browser forgets the learner: the code and the opened "My data"."""
    cookies.forget(request, response, cookies.LEARNER)
    cookies.forget(request, response, cookies.MYDATA)
