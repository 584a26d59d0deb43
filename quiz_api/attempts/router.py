"""Attempts API: start and submit, the platform's hot path.

Both endpoints are async and hand their database work to the group-commit writer (db.py): the
request waits, without holding a thread, until the batch holding its write has committed, then
gets its answer serialised with orjson (a start's plain data; a submission's result comes as JSON
bytes already): validating it again through the response model cost time and proved nothing. The
response models stay declared for the OpenAPI schema. A submission usually reaches the writer
through SubmitFastLane, in front of the application, which runs the route's own job and answers
as the route would. They read app.state directly rather than through the sync dependencies
of deps.py, which FastAPI would run in its thread pool (two thread hops per request).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import orjson
from fastapi import APIRouter, Path, Request, Response
from pydantic import TypeAdapter, ValidationError
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.types import ASGIApp, Receive, Scope, Send

from quiz_api import problems, secheaders, strictjson
from quiz_api.attempts import service as attempts
from quiz_api.banks import Bank
from quiz_api.bodylimit import read_body, replay, too_large
from quiz_api.errors import DomainError
from quiz_api.learners import service as learners
from quiz_api.profile import load_profile
from quiz_api.schemas import (
    INVALID,
    AttemptCreate,
    AttemptCreated,
    Problem,
    Submission,
    SubmissionResult,
    UnansweredProblem,
    ValidationProblem,
)
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
             responses={404: {"model": Problem}, 410: {"model": Problem}, 422: {
                 "model": UnansweredProblem | Problem | ValidationProblem,
                 "description": "questions without an answer (`unanswered`, unless allow_unanswered), other "
                                "invalid answers (a Problem), or a body that does not fit (a ValidationProblem)"}})
async def submit_attempt(body: Submission, request: Request, attempt_id: str = AttemptId) -> Response:
    """Grade on the server and record once; submitting again returns the same result. A question left
    without an answer gets 422 `unanswered` (its id in question_ids) unless allow_unanswered is true."""
    state = request.app.state
    data = await state.database.writer(recording(state.banks, attempt_id, body))
    return Response(data, media_type="application/json")


def recording(banks: dict[str, Bank], attempt_id: str, body: Submission) -> Callable[[Connection], bytes]:
    """The writer job of a submission, the same for the route and the lane: attempts.record, its result
    as JSON bytes (attempts.result_json, the document the response model describes)."""
    return attempts.Submission(banks=banks, attempt_id=attempt_id, answers=body.answers,
                               allow_unanswered=body.allow_unanswered, render=attempts.result_json)


_SUBMISSION = TypeAdapter(Submission)
_PREFIX, _SUFFIX = "/api/v1/attempts/", "/submit"


class SubmitFastLane:
    """The submission endpoint without the framework's per-request machinery.

    It sits in front of the whole application (main.App.__call__), before FastAPI's own layers
    (telemetry check, error middleware, body-limit middleware, route matching over every route,
    dependency solving, exception layers). Measured in-process: the FastAPI route costs about
    170 µs per request before any work, this lane inside the middleware stack about 30 µs. Moving
    it in front, together with dropping an index, took bench/submit_bench.py's ratio from 0.37 to
    0.45 (README, "Performance").

    It takes a POST to /api/v1/attempts/{id}/submit with a JSON body within the size limit and runs
    the route's own job (`recording`) in the group-commit writer, once. It answers everything that
    comes of it as the route would, byte for byte: the result as attempts.result_json made it, a
    domain error or a busy database through problems.py (main.py's handlers use the same mapping),
    a body that does not fit Submission with the route's 422 (`_read_as_the_route`). A body over the
    limit gets bodylimit's 413, as anywhere else. Anything else (another content type, an id the
    route's path check refuses, a body FastAPI answers with a 400) goes to the application, before
    any database work. The route keeps the endpoint in the OpenAPI schema and
    answers when the lane is off (App.fast_lane = None).
    """

    def __init__(self, app: ASGIApp, state: Any, max_body_bytes: int) -> None:
        self.app = app  # the application behind the lane: every request the lane does not take
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
        own = secheaders.adding_common(send)  # what the lane answers itself gets the app's headers too
        body = await read_body(receive, self.max_body_bytes)
        if body is None:
            await too_large(scope, receive, own)
            return
        if body is False:  # the client went away
            return
        try:
            submission = _SUBMISSION.validate_json(body)
        except ValidationError:  # read it again as the route would, for the route's answer
            read = _read_as_the_route(body)
            if read is None:
                await self.app(scope, replay(body, receive), send)
                return
            if isinstance(read, list):
                await self._problem(problems.validation_problem(read, self._lang(scope)), scope, receive, own)
                return
            submission = read
        state = self.state
        try:
            data = await state.database.writer(recording(state.banks, attempt_id, submission))
        except DomainError as exc:
            profile = load_profile(state.settings.profile_dir)
            await self._problem(problems.domain_problem(exc, self._lang(scope), profile), scope, receive, own)
            return
        except (OperationalError, PoolTimeout) as exc:
            await self._problem(problems.busy_problem(exc, self._lang(scope)), scope, receive, own)
            return
        # the headers Response(data, media_type="application/json") sends, in its order
        await own({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-length", str(len(data)).encode()), (b"content-type", b"application/json")]})
        await own({"type": "http.response.body", "body": data})

    @staticmethod
    def _lang(scope: Scope) -> str:
        return problems.request_lang(Request(scope))

    @staticmethod
    async def _problem(problem: problems.Problem, scope: Scope, receive: Receive, send: Send) -> None:
        await problems.json_answer(problem)(scope, receive, send)


def _read_as_the_route(body: bytes) -> Submission | list[dict[str, Any]] | None:
    """A body pydantic's JSON parser refused, read the way the route reads it (fastapi/routing.py,
    request_body_to_args, through strictjson.loads): the standard library's json, refusing lone
    surrogates, then the model from Python values. The Submission if that accepts it, else the
    errors of the route's 422, each located under "body"; None for what FastAPI answers otherwise
    (a 400), left to the route."""
    if not body:
        return [{"type": "missing", "loc": ("body",), "msg": "Field required", "input": None}]
    try:
        value = strictjson.loads(body)
    except json.JSONDecodeError as exc:
        return [{"type": "json_invalid", "loc": ("body", exc.pos), "msg": "JSON decode error", "input": {},
                 "ctx": {"error": exc.msg}}]
    except UnicodeDecodeError as exc:  # FastAPI's 400, which main.py answers with this 422
        return [{"type": "json_invalid", "loc": ("body", exc.start), "msg": "JSON decode error"}]
    except Exception:  # noqa: BLE001 - too deep, say: FastAPI's 400, left to the route
        return None
    try:
        return _SUBMISSION.validate_python(value, from_attributes=True)
    except ValidationError as exc:
        return [{**error, "loc": ("body", *error["loc"])} for error in exc.errors(include_url=False)]
