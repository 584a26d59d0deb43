"""The application: API, HTML pages and the built site on one origin."""

from __future__ import annotations

import gc
import logging
from contextlib import asynccontextmanager
from datetime import timedelta
from functools import partial
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Receive, Scope, Send

from quiz_api import logs
from quiz_api.api import api_router
from quiz_api.attempts import service as attempts
from quiz_api.attempts.router import SubmitFastLane
from quiz_api.attempts.service import QuizSettings
from quiz_api.banks import load_banks
from quiz_api.bodylimit import BodyLimit
from quiz_api.certificates.pages import router as certificate_pages_router
from quiz_api.classes.pages import router as class_pages_router
from quiz_api.opendata.router import router as open_statistics_router
from quiz_api.config import Settings, get_settings
from quiz_api.db import Database
from quiz_api.errors import DomainError, TooSoon
from quiz_api.labels import pick_lang, t
from quiz_api.learners.pages import router as learner_pages_router
from quiz_api.organisers.deps import LoginRequired, login_url
from quiz_api.organisers.pages import router as organiser_pages_router
from quiz_api.pages import render_error
from quiz_api.pages.router import router as pages_router
from quiz_api.ratelimit import RateLimiter
from quiz_api.reports.pages import router as report_pages_router

log = logging.getLogger("kynangso")
def _lang(request: Request) -> str:
    return getattr(request.state, "lang", None) or pick_lang(
        request.query_params.get("lang") or request.headers.get("accept-language"))


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/")


class App(FastAPI):
    """FastAPI with the submission fast lane (attempts/router.py) in front of its middleware stack:
    the platform's hot path skips the layers every other request goes through."""

    fast_lane: SubmitFastLane | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        lane = self.fast_lane
        if lane is not None and lane.takes(scope):
            await lane(scope, receive, send)
        else:
            await super().__call__(scope, receive, send)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    logs.install()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        # Everything loaded so far (banks, templates, the framework) lives as long as the process:
        # freezing it keeps the garbage collector's full passes from walking the ~110,000 objects
        # that are never garbage (a full pass over them took 55-90 ms, a pause for every request).
        gc.collect()
        gc.freeze()
        yield
        app.state.database.dispose()

    app = App(
        title="Kỹ năng số API",
        version="1.0",
        description="Quizzes graded on the server, learners' records, certificates and organiser reports.",
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.database = Database(settings.database_url)
    app.state.banks = load_banks(settings.banks_dir)  # raises on an invalid bank: fail at start, not mid-quiz
    attempts.prepare_views(app.state.banks)  # question texts and result pieces: built now, not in a request
    app.state.quiz_settings = QuizSettings(ttl=timedelta(minutes=settings.attempt_ttl_minutes),
                                           cooldown=settings.cooldown)

    app.state.code_limiter = RateLimiter(settings.code_lookups_per_minute)
    app.state.login_limiter = RateLimiter(settings.login_attempts_per_minute)

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        return RedirectResponse(login_url(exc.next_path), status_code=303)

    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> Response:
        lang = _lang(request)
        message = t(exc.key, lang, **exc.params)
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, TooSoon) else None
        if _wants_html(request):
            return render_error(request, message, exc.status, lang, headers=headers)
        return JSONResponse({"detail": message, "code": exc.key}, status_code=exc.status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        lang = _lang(request)
        # Never echo what was sent (it may be personal data); dropped before encoding, since a body
        # that is not UTF-8 (sent as text/plain, say) cannot be encoded and was a 500.
        errors: list[Any] = jsonable_encoder([{k: v for k, v in e.items() if k not in ("input", "ctx")}
                                              for e in exc.errors()], custom_encoder={Exception: str})
        key = "malformed_json" if any(e.get("type") == "json_invalid" for e in errors) else "invalid_input"
        if _wants_html(request):
            return render_error(request, t(key, lang), 422, lang)
        return JSONResponse({"detail": errors, "message": t(key, lang), "code": key}, status_code=422)

    @app.exception_handler(OperationalError)
    async def database_busy(request: Request, exc: OperationalError) -> Response:
        log.warning("database error: %s", exc)
        lang = _lang(request)
        if _wants_html(request):
            return render_error(request, t("server_busy", lang), 503, lang, headers={"Retry-After": "2"})
        return JSONResponse({"detail": t("server_busy", lang), "code": "server_busy"}, status_code=503,
                            headers={"Retry-After": "2"})

    # Every pooled connection busy for the pool's whole timeout (a burst on PostgreSQL): busy, not a 500.
    app.add_exception_handler(PoolTimeout, database_busy)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 400 and isinstance(exc.__cause__, UnicodeDecodeError):
            # A JSON body that is not UTF-8: FastAPI says 400 "error parsing the body"; it is
            # malformed JSON like any other, so it gets the same documented 422.
            return await validation_error(request, RequestValidationError(
                [{"type": "json_invalid", "loc": ("body", exc.__cause__.start), "msg": "JSON decode error"}]))
        lang = _lang(request)
        message = t("not_found", lang) if exc.status_code == 404 else str(exc.detail)
        if _wants_html(request) and exc.status_code != 405:
            return render_error(request, message, exc.status_code, lang)
        return JSONResponse({"detail": message, "code": "http_error"}, status_code=exc.status_code,
                            headers=getattr(exc, "headers", None))

    app.include_router(api_router)
    app.include_router(pages_router)
    app.include_router(certificate_pages_router)
    app.include_router(learner_pages_router)
    app.include_router(organiser_pages_router)
    app.include_router(report_pages_router)
    app.include_router(class_pages_router)
    app.include_router(open_statistics_router)
    if settings.site_dir.is_dir():
        app.mount("/", StaticFiles(directory=settings.site_dir, html=True), name="site")
    else:
        log.warning("site directory %s not found: run `make site` to serve the lessons", settings.site_dir)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.fast_lane = SubmitFastLane(partial(FastAPI.__call__, app), app.state, settings.max_body_bytes)
    return app
