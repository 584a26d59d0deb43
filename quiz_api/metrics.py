"""Prometheus metrics, the request id and the access log: what an operator of several processes
and hosts needs to see.

    GET /metrics   Prometheus text format; only from KYNANGSO_METRICS_ALLOW (default: this host)
                   or with `Authorization: Bearer KYNANGSO_METRICS_TOKEN`.

With several workers `kynangso serve` sets PROMETHEUS_MULTIPROC_DIR (before any worker imports
prometheus_client), so every worker writes its samples to files there and /metrics, answered by
any one worker, adds them up (prometheus-client's multiprocess mode).

Observe sits in front of everything (main.App.__call__), the submission fast lane included. It
labels a request by its route template, never its path, so the label set stays small and no code
or attempt id is ever a label value or a log field.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import re
import secrets
import time
from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from starlette.staticfiles import StaticFiles
from starlette.types import Message, Receive, Scope, Send

from quiz_api import logs
from quiz_api.attempts.router import SubmitFastLane
from quiz_api.errors import Forbidden

REQUESTS = Counter("kynangso_http_requests", "HTTP requests answered", ["method", "route", "status"])
LATENCY = Histogram("kynangso_http_request_duration_seconds", "Time to the end of the answer", ["method", "route"],
                    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
BATCH_SIZE = Histogram("kynangso_writer_batch_jobs", "Jobs committed together by the group-commit writer",
                       buckets=(1, 2, 4, 8, 16, 32, 64))
COMMIT_TIME = Histogram("kynangso_writer_batch_seconds", "A writer batch from BEGIN to the end of COMMIT",
                        buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5))
QUEUE_DEPTH = Gauge("kynangso_writer_queue_jobs", "Jobs waiting for the group-commit writer when a batch began",
                    multiprocess_mode="livesum")
EXPORTS = Gauge("kynangso_exports_in_flight", "Exports being streamed now", multiprocess_mode="livesum")

SUBMIT_ROUTE = "/api/v1/attempts/{attempt_id}/submit"  # the fast lane answers it before any routing
_REQUEST_ID = re.compile(rb"^[A-Za-z0-9._:-]{8,64}$")  # nginx's $request_id is 32 hex digits


def observe_batch(jobs: int, waiting: int, seconds: float) -> None:
    """Called by db.GroupCommitWriter after each batch (db.py imports nothing of the project)."""
    BATCH_SIZE.observe(jobs)
    COMMIT_TIME.observe(seconds)
    QUEUE_DEPTH.set(waiting)


def route_template(scope: Scope) -> str:
    """The route a request matched, as declared (`/certificates/{code}`); never the path itself."""
    route_path = getattr(scope.get("route"), "path", None)
    if route_path:
        # The route knows its own path; the prefixes of the routers it was included through are
        # what the request's path has before the route's part (with its parameters filled in).
        filled = route_path
        for name, value in scope.get("path_params", {}).items():
            filled = re.sub(r"\{" + re.escape(name) + r"(:[a-z]+)?\}", lambda _, v=str(value): v, filled)
        path = scope.get("path", "")
        return path[: len(path) - len(filled)] + route_path if path.endswith(filled) else route_path
    if isinstance(scope.get("endpoint"), StaticFiles):
        return "/{site}"
    if SubmitFastLane.takes(scope):  # answered by the lane, before any routing
        return SUBMIT_ROUTE
    return "(unmatched)"


class Observe:
    """Request id, metrics and the access line around one request (an ASGI wrapper)."""

    def __init__(self, *, access_log: bool = True) -> None:
        self.access_log = access_log

    async def __call__(self, scope: Scope, receive: Receive, send: Send,
                       app: Callable[[Scope, Receive, Send], Awaitable[None]]) -> None:
        rid = _request_id(scope)
        token = logs.request_id.set(rid)
        began = time.perf_counter()
        status = 500
        header = (b"x-request-id", rid.encode())

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), header]
            await send(message)

        try:
            await app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - began
            route, method = route_template(scope), scope["method"]
            REQUESTS.labels(method, route, str(status)).inc()
            LATENCY.labels(method, route).observe(seconds)
            if self.access_log:
                client = scope.get("client")
                logs.log_access(method=method, route=route, status=status, seconds=seconds,
                                client=client[0] if client else "-")
            logs.request_id.reset(token)


def _request_id(scope: Scope) -> str:
    """The proxy's X-Request-ID when it looks like one, else a new one."""
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            if _REQUEST_ID.match(value):
                return value.decode()
            break
    return secrets.token_hex(16)


# ------------------------------------------------------------------------------------ GET /metrics

router = APIRouter(include_in_schema=False)


def _allowed(request: Request) -> bool:
    settings = request.app.state.settings
    token = settings.metrics_token
    if token:
        given = request.headers.get("authorization", "")
        if hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return True
    host = request.client.host if request.client else ""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    for allowed in settings.metrics_allow.split(","):
        allowed = allowed.strip()
        if allowed:
            try:
                if address in ipaddress.ip_network(allowed, strict=False):
                    return True
            except ValueError:
                continue
    return False


@router.get("/metrics")
def metrics(request: Request) -> Response:
    """Every metric of every worker, in Prometheus' text format."""
    if not _allowed(request):
        raise Forbidden("metrics_forbidden")
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        data = generate_latest(registry)
    else:
        from prometheus_client import REGISTRY

        data = generate_latest(REGISTRY)
    return Response(data, media_type=CONTENT_TYPE_LATEST)
