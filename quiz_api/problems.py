"""Failures as JSON answers in the learner's language: one mapping, used by main.py's exception
handlers and by the submission fast lane (attempts/router.py), so a failure gets the same answer,
byte for byte, whichever of them meets it."""

from __future__ import annotations

import logging
from typing import Any

from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from starlette.requests import Request

from quiz_api import localtime
from quiz_api.db import WriterBusy
from quiz_api.errors import DomainError, TooSoon
from quiz_api.labels import pick_lang, t
from quiz_api.profile import Profile

log = logging.getLogger("kynangso")

Problem = tuple[int, dict[str, Any], dict[str, str] | None]  # status, JSON body, headers


def request_lang(request: Request) -> str:
    """The answer's language: the one an endpoint took from the body (request.state.lang), else
    ?lang=, else Accept-Language."""
    return getattr(request.state, "lang", None) or pick_lang(
        request.query_params.get("lang") or request.headers.get("accept-language"))


def domain_problem(exc: DomainError, lang: str, profile: Profile | None = None) -> Problem:
    """A domain error: its status, its message and key (and any fields of its own, such as the ids of
    unanswered questions), and Retry-After for a wait. Stored times in the message are shown in the
    profile's time zone."""
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, TooSoon) else None
    params = localtime.localise(exc.params, tz=profile.tz, zone_name=profile.zone_name(lang)) if profile \
        else exc.params
    # A parameter may echo what was sent, and JSON may carry a lone surrogate ("\ud800") that no
    # UTF-8 answer can hold (it was a 500): such characters become "?".
    detail = t(exc.key, lang, **params).encode("utf-8", "replace").decode("utf-8")
    return exc.status, {"detail": detail, "code": exc.key, **exc.fields}, headers


def validation_problem(errors: list[dict[str, Any]], lang: str) -> Problem:
    """A request that does not fit the schema: what is wrong where, never what was sent (it may be
    personal data), so `input` and `ctx` are dropped before encoding (a body that is not UTF-8
    cannot be encoded and was a 500)."""
    detail: list[Any] = jsonable_encoder([{k: v for k, v in e.items() if k not in ("input", "ctx")} for e in errors],
                                         custom_encoder={Exception: str})
    key = "malformed_json" if any(e.get("type") == "json_invalid" for e in detail) else "invalid_input"
    return 422, {"detail": detail, "message": t(key, lang), "code": key}, None


def busy(lang: str) -> Problem:
    """Over capacity (the door, the writer's queue) or the database did not answer in time: nothing
    was stored, try again in a moment."""
    return 503, {"detail": t("server_busy", lang), "code": "server_busy"}, {"Retry-After": "2"}


def busy_problem(exc: Exception, lang: str) -> Problem:
    """The database did not answer in time (locked, or every pooled connection busy): try again."""
    if not isinstance(exc, WriterBusy):  # the writer logs its refusals itself, at most once a second
        log.warning("database error: %s", exc)
    return busy(lang)


def json_answer(problem: Problem) -> JSONResponse:
    status, body, headers = problem
    return JSONResponse(body, status_code=status, headers=headers)
