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


def find_learner(request: Request, db: Session, code: str) -> Learner:
    """learners.find_by_code, refused while the client is over its guessing limit; every miss
    (mistyped, unknown or erased code) counts against the client."""
    return request.app.state.code_limiter.guard(request, lambda: learners.find_by_code(db=db, code=code))


def cookie_learner(request: Request) -> Learner | None:
    """The learner whose code this browser carries, or None; through the guessing limiter, since a
    forged cookie is a guess like any other (over the limit, TooSoon is raised)."""
    code = request.cookies.get(LEARNER_COOKIE)
    if not code:
        return None
    with request.app.state.database.reading() as db:
        try:
            return find_learner(request, db, code)
        except NotFound:
            return None


def set_learner_cookie(request: Request, response: Response, code: str) -> None:
    response.set_cookie(LEARNER_COOKIE, code, max_age=365 * 24 * 3600, httponly=True, samesite="lax",
                        secure=request.app.state.settings.cookie_secure, path="/")


def forget_learner_cookie(response: Response) -> None:
    response.delete_cookie(LEARNER_COOKIE, path="/")
