"""Finding a learner by their code from a request, through the guessing limiter."""

from __future__ import annotations

from fastapi import Request
from sqlalchemy.orm import Session

from quiz_api.learners import service as learners
from quiz_api.learners.models import Learner


def find_learner(request: Request, db: Session, code: str) -> Learner:
    """learners.find_by_code, refused while the client is over its guessing limit; every miss
    (mistyped, unknown or erased code) counts against the client."""
    return request.app.state.code_limiter.guard(request, lambda: learners.find_by_code(db=db, code=code))
