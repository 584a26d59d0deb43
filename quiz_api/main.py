"""The application: API, HTML pages and the built site on one origin."""

from __future__ import annotations

import asyncio
import gc
import logging
from contextlib import asynccontextmanager, suppress
from datetime import timedelta
from functools import partial

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Receive, Scope, Send

from quiz_api import apidocs, logs, problems
from quiz_api.aggregates import service as aggregates
from quiz_api.api import api_router
from quiz_api.apigzip import ApiGZip
from quiz_api.attempts import service as attempts
from quiz_api.attempts.pages import router as quiz_pages_router
from quiz_api.attempts.router import SubmitFastLane
from quiz_api.attempts.service import QuizSettings
from quiz_api.banks import load_banks
from quiz_api.bodylimit import BodyLimit
from quiz_api.certificates.pages import router as certificate_pages_router
from quiz_api.classes import service as classes
from quiz_api.classes.pages import router as class_pages_router
from quiz_api.config import Settings, get_settings
from quiz_api.db import Database, WriterBusy
from quiz_api.errors import DomainError
from quiz_api.labels import PRODUCT, t
from quiz_api.learners.pages import router as learner_pages_router
from quiz_api.metrics import Observe, observe_batch
from quiz_api.metrics import router as metrics_router
from quiz_api.opendata.router import router as open_statistics_router
from quiz_api.organisers.deps import LoginRequired, login_url
from quiz_api.organisers.pages import router as organiser_pages_router
from quiz_api.organisers.security import HashSlots
from quiz_api.pages import render_error
from quiz_api.privacy.pages import router as privacy_pages_router
from quiz_api.profile import load_profile
from quiz_api.ratelimit import Limiters
from quiz_api.reports.pages import router as report_pages_router
from quiz_api.sameorigin import SameOriginForms
from quiz_api.secheaders import SecurityHeaders, content_security_policy, site_script_hashes
from quiz_api.serving import waited
from quiz_api.staticsite import SiteFiles

log = logging.getLogger("kynangso")


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/")


def _answer(request: Request, problem: problems.Problem, lang: str) -> Response:
    """A problem (problems.py) as JSON for the API, as an error page for people."""
    status, body, headers = problem
    if _wants_html(request):  # a validation problem's message is beside its list of errors
        return render_error(request, body.get("message") or body["detail"], status, lang, headers=headers)
    return problems.json_answer(problem)


def busy(request: Request) -> Response:
    """503 server_busy with Retry-After: nothing was stored, send it again in a moment."""
    lang = problems.request_lang(request)
    return _answer(request, problems.busy(lang), lang)


class App(FastAPI):
    """FastAPI with the submission fast lane (attempts/router.py) in front of its middleware stack:
    the platform's hot path skips the layers every other request goes through. In front of both,
    metrics.Observe: the request id, the metrics and the access line of every request. Then the door:
    a request that waited longer than `max_wait` before reaching the application (serving.py) is
    answered 503 server_busy at once: over capacity, a quick "try again" instead of a long wait."""

    fast_lane: SubmitFastLane | None = None
    observe: Observe | None = None
    max_wait: float | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.observe is not None and scope["type"] == "http":
            await self.observe(scope, receive, send, self._serve)
        else:
            await self._serve(scope, receive, send)

    async def _serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (self.max_wait is not None and scope["type"] == "http" and waited(scope) > self.max_wait
                and not scope["path"].startswith("/api/v1/health")):
            scope["app"] = self  # as Starlette sets it: the pages' templates read the settings through it
            await busy(Request(scope))(scope, receive, send)
            return
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
        folding = asyncio.create_task(aggregates.keep_folding(app.state.database.writer, app.state.database.engine))
        yield
        folding.cancel()
        with suppress(asyncio.CancelledError):
            await folding
        await app.state.database.writer.drained()  # no write transaction left open by this loop
        app.state.database.dispose()
        app.state.limiters.dispose()

    app = App(
        title=f"{PRODUCT} API",
        version="1.0",
        description="Quizzes graded on the server, learners' records, certificates and organiser reports.",
        docs_url=None,  # apidocs.py serves Swagger UI from the package, not from a CDN
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
        openapi_url="/api/openapi.json",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.database = Database(settings.database_url, pool_size=settings.db_pool_size,
                                  pool_timeout=settings.db_pool_timeout,
                                  writer_queue_max=settings.writer_queue_max or None,
                                  writer_max_wait=settings.writer_max_wait_seconds or None)
    app.state.banks = load_banks(settings.banks_dir)  # raises on an invalid bank: fail at start, not mid-quiz
    profile = load_profile(settings.profile_dir)  # raises on an unknown time zone, or one with DST: at start
    aggregates.use_zone(profile.timezone)  # the report aggregates count by the province's calendar
    attempts.prepare_views(app.state.banks)  # question texts and result pieces: built now, not in a request
    app.state.database.writer.on_batch = observe_batch
    app.state.quiz_settings = QuizSettings(ttl=timedelta(minutes=settings.attempt_ttl_minutes),
                                           cooldown=settings.cooldown)

    app.state.limiters = Limiters(database_url=settings.database_url, code_lookups=settings.code_lookups_per_minute,
                                  logins=settings.login_attempts_per_minute,
                                  login_failures=settings.login_failures_per_client_per_minute)
    app.state.code_limiter = app.state.limiters.code
    # Registration may join a class (learners/router.py): the classes domain, wired in here.
    app.state.open_class = classes.opener(app.state.database, app.state.code_limiter)
    app.state.login_limiter = app.state.limiters.login
    app.state.hash_slots = HashSlots(settings.password_hash_slots, settings.password_hash_wait_seconds)

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        return RedirectResponse(login_url(exc.next_path), status_code=303)

    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> Response:
        lang = problems.request_lang(request)
        return _answer(request, problems.domain_problem(exc, lang, profile), lang)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        lang = problems.request_lang(request)
        return _answer(request, problems.validation_problem(list(exc.errors()), lang), lang)

    @app.exception_handler(OperationalError)
    async def database_busy(request: Request, exc: OperationalError) -> Response:
        lang = problems.request_lang(request)
        return _answer(request, problems.busy_problem(exc, lang), lang)

    # Every pooled connection busy for the pool's whole timeout (a burst on PostgreSQL): busy, not a 500.
    app.add_exception_handler(PoolTimeout, database_busy)

    @app.exception_handler(WriterBusy)
    async def writer_busy(request: Request, exc: WriterBusy) -> Response:
        return busy(request)  # shed before it ran, nothing stored; the writer logs its refusals once a second

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 400 and isinstance(exc.__cause__, UnicodeDecodeError):
            # A JSON body that is not UTF-8: FastAPI says 400 "error parsing the body"; it is
            # malformed JSON like any other, so it gets the same documented 422.
            return await validation_error(request, RequestValidationError(
                [{"type": "json_invalid", "loc": ("body", exc.__cause__.start), "msg": "JSON decode error"}]))
        lang = problems.request_lang(request)
        message = t("not_found", lang) if exc.status_code == 404 else str(exc.detail)
        if _wants_html(request) and exc.status_code != 405:
            return render_error(request, message, exc.status_code, lang)
        return JSONResponse({"detail": message, "code": "http_error"}, status_code=exc.status_code,
                            headers=getattr(exc, "headers", None))

    app.include_router(api_router)
    app.include_router(quiz_pages_router)
    app.include_router(learner_pages_router)
    app.include_router(certificate_pages_router)
    app.include_router(privacy_pages_router)
    app.include_router(organiser_pages_router)
    app.include_router(report_pages_router)
    app.include_router(metrics_router)
    apidocs.install(app, docs_url="/api/docs", openapi_url=app.openapi_url or "/api/openapi.json")
    app.include_router(class_pages_router)
    app.include_router(open_statistics_router)
    if settings.site_dir.is_dir():
        app.mount("/", SiteFiles(directory=settings.site_dir), name="site")
    else:
        log.warning("site directory %s not found: run `make site` to serve the lessons", settings.site_dir)
    app.add_middleware(ApiGZip)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.observe = Observe(access_log=settings.access_log)
    app.add_middleware(SameOriginForms)  # a foreign form is refused before its body is read
    # outermost, so every answer has the headers (a 413, a refused form, an unexpected error's 500 too)
    app.add_middleware(SecurityHeaders, policy=content_security_policy(site_script_hashes(settings.site_dir)))
    app.max_wait = settings.request_max_wait_seconds or None
    app.fast_lane = SubmitFastLane(partial(FastAPI.__call__, app), app.state, settings.max_body_bytes)
    return app
