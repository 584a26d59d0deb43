"""Attempts API: start and submit, the platform's hot path.

Both endpoints are async and hand their database work to the group-commit writer (db.py): the
request waits, without holding a thread, until the batch holding its write has committed, then
gets its answer serialised with orjson (the result is already plain data; validating it again
through the response model cost time and proved nothing). The response models stay declared for
the OpenAPI schema. They read app.state directly rather than through the sync dependencies
of deps.py, which FastAPI would run in its thread pool (two thread hops per request).
"""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter, Path, Request, Response
from pydantic import TypeAdapter
from sqlalchemy.engine import Connection
from starlette.types import ASGIApp, Receive, Scope, Send

from quiz_api.attempts import service as attempts
from quiz_api.bodylimit import read_body, replay, too_large
from quiz_api.learners import service as learners
from quiz_api.schemas import INVALID, AttemptCreate, AttemptCreated, Problem, Submission, SubmissionResult
from quiz_api.strictjson import StrictJSONRoute

router = APIRouter(route_class=StrictJSONRoute, tags=["attempts"])

AttemptId = Path(max_length=64)


def json_response(payload: Any, status_code: int = 200) -> Response:
    """orjson: naive datetimes are UTC here and are written with a "Z" (as schemas.UtcDateTime does)."""
    data = orjson.dumps(payload, option=orjson.OPT_NAIVE_UTC | orjson.OPT_UTC_Z)
    return Response(data, status_code=status_code, media_type="application/json")


@router.post("/attempts", status_code=201, response_model=AttemptCreated,
             responses={404: {"model": Problem}, 422: INVALID, 429: {"model": Problem}})
async def start_attempt(body: AttemptCreate, request: Request) -> Response:
    """Draw the questions of a new attempt; the answer key never leaves the server."""
    request.state.lang = body.lang
    state = request.app.state
    settings, banks = state.quiz_settings, state.banks

    def start(conn: Connection) -> dict:
        # rate-limited like every lookup by learner code: misses count as guesses
        learner_id = state.code_limiter.guard(
            request, lambda: learners.id_for_code(conn=conn, code=body.learner_code))
        return attempts.start(conn=conn, banks=banks, settings=settings, learner_id=learner_id,
                              module_id=body.module_id, lang=body.lang)

    return json_response(await state.database.writer(start), status_code=201)


@router.post("/attempts/{attempt_id}/submit", response_model=SubmissionResult,
             responses={404: {"model": Problem}, 410: {"model": Problem}, 422: INVALID})
async def submit_attempt(body: Submission, request: Request, attempt_id: str = AttemptId) -> Response:
    """Grade on the server and record once; submitting again returns the same result."""
    banks = request.app.state.banks
    result = await request.app.state.database.writer(
        attempts.Submission(banks=banks, attempt_id=attempt_id, answers=body.answers))
    return json_response(result)


_SUBMISSION = TypeAdapter(Submission)
_PREFIX, _SUFFIX = "/api/v1/attempts/", "/submit"
_JSON_HEADERS = [(b"content-type", b"application/json")]


class SubmitFastLane:
    """The submission endpoint without the framework's per-request machinery.

    It sits in front of the whole application (main.App.__call__), before FastAPI's own layers
    (telemetry check, error middleware, body-limit middleware, route matching over every route,
    dependency solving, exception layers). A POST to /api/v1/attempts/{id}/submit with a JSON body
    within the size limit that validates against Submission goes straight to the group-commit
    writer, and the result, already serialised (attempts.result_json), is sent as it is. Measured
    in-process: the FastAPI route costs about 170 µs per request before any work, this lane inside
    the middleware stack about 30 µs. Moving it in front, together with dropping an index, took
    bench/submit_bench.py's ratio from 0.37 to 0.45 (README, "Performance").
    A body over the limit gets bodylimit's 413, as anywhere else. Anything else (a body that does
    not validate, a domain or database error) goes to the application with the body replayed, so
    every answer but the successful one is the route's own, byte for byte; the route also keeps
    the endpoint in the OpenAPI schema.
    """

    def __init__(self, app: ASGIApp, state: Any, max_body_bytes: int) -> None:
        self.app = app  # the application behind the lane: every request the lane does not answer
        self.state = state
        self.max_body_bytes = max_body_bytes

    @staticmethod
    def takes(scope: Scope) -> bool:
        path = scope.get("path", "")
        return (scope["type"] == "http" and scope["method"] == "POST" and path.startswith(_PREFIX)
                and path.endswith(_SUFFIX))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope["path"]
        attempt_id = path[len(_PREFIX):-len(_SUFFIX)]
        headers = dict(scope["headers"])
        content_type = headers.get(b"content-type", b"").split(b";", 1)[0].strip()
        declared = headers.get(b"content-length", b"0")
        if (not attempt_id or len(attempt_id) > 64 or "/" in attempt_id or content_type != b"application/json"
                or not declared.isdigit() or int(declared) > self.max_body_bytes):
            await self.app(scope, receive, send)
            return
        body = await read_body(receive, self.max_body_bytes)
        if body is None:
            await too_large(scope, receive, send)
            return
        if body is False:  # the client went away
            return
        try:
            answers = _SUBMISSION.validate_json(body).answers
            state = self.state
            data = await state.database.writer(attempts.Submission(banks=state.banks, attempt_id=attempt_id,
                                                                   answers=answers, render=attempts.result_json))
        except Exception:  # noqa: BLE001 - the route answers it (validation, domain, database errors)
            await self.app(scope, replay(body, receive), send)
            return
        await send({"type": "http.response.start", "status": 200,
                    "headers": [*_JSON_HEADERS, (b"content-length", str(len(data)).encode())]})
        await send({"type": "http.response.body", "body": data})
