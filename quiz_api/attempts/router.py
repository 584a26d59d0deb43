from __future__ import annotations

from fastapi import APIRouter, Path, Request

from quiz_api.attempts import service as attempts
from quiz_api.deps import BanksDep, DatabaseDep, WriteDB
from quiz_api.learners.deps import find_learner
from quiz_api.schemas import AttemptCreate, AttemptCreated, Problem, Submission, SubmissionResult

router = APIRouter(tags=["attempts"])

AttemptId = Path(max_length=64)


@router.post("/attempts", status_code=201, response_model=AttemptCreated,
             responses={404: {"model": Problem}, 429: {"model": Problem}})
def start_attempt(body: AttemptCreate, request: Request, db: WriteDB, banks: BanksDep) -> dict:
    """Draw the questions of a new attempt; the answer key never leaves the server."""
    request.state.lang = body.lang
    learner = find_learner(request, db, body.learner_code)  # rate-limited: misses count as guesses
    return attempts.start(conn=db.connection(), banks=banks, settings=request.app.state.quiz_settings,
                          learner_id=learner.id, module_id=body.module_id, lang=body.lang)


@router.post("/attempts/{attempt_id}/submit", response_model=SubmissionResult,
             responses={404: {"model": Problem}, 410: {"model": Problem}, 422: {"model": Problem}})
def submit_attempt(body: Submission, database: DatabaseDep, banks: BanksDep,
                   attempt_id: str = AttemptId) -> dict:
    """Grade on the server and record once; submitting again returns the same result."""
    return attempts.submit(database=database, banks=banks, attempt_id=attempt_id, answers=body.answers)
