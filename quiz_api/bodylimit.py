"""Request bodies over a size limit get 413, before anything parses them."""

from __future__ import annotations

from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from quiz_api.labels import pick_lang, t

UPLOAD_PATHS = ("/organiser/data/",)
UPLOAD_MAX_BYTES = 4 * 1024 * 1024


class BodyLimit:
    """Refuse request bodies over a size limit with 413.

    A declared Content-Length over the limit is refused before the body is read. A body without
    one (chunked) is read here first, up to the limit, and handed on whole: a limit raised from
    inside the application's own body parsing came out as FastAPI's 400 "error parsing the body".
    A declared length is still counted while the application reads, in case the client sends more.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def limit(self, path: str) -> int:
        """CSV uploads by province admins (units, targets) may be larger than any other body."""
        return UPLOAD_MAX_BYTES if path.startswith(UPLOAD_PATHS) else self.max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        max_bytes = self.limit(scope.get("path", ""))
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > max_bytes):
            await too_large(scope, receive, send)
            return
        if declared is None and b"chunked" in headers.get(b"transfer-encoding", b"").lower():
            body = await read_body(receive, max_bytes)
            if body is None:
                await too_large(scope, receive, send)
            elif body is not False:
                await self.app(scope, replay(body, receive), send)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > max_bytes:
                raise _BodyTooLarge
            return message

        try:
            await self.app(scope, limited, send)
        except _BodyTooLarge:
            await too_large(scope, receive, send)


class _BodyTooLarge(Exception):
    pass


async def read_body(receive: Receive, max_bytes: int) -> bytes | None | bool:
    """The whole body; None when it grows over max_bytes, False when the client went away."""
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return False
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > max_bytes:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def replay(body: bytes, receive: Receive) -> Receive:
    """A receive that gives the already-read body once, then defers to the real one."""
    given = False

    async def replayed() -> Message:
        nonlocal given
        if not given:
            given = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed


async def too_large(scope: Scope, receive: Receive, send: Send) -> None:
    lang = pick_lang(dict(scope["headers"]).get(b"accept-language", b"").decode("latin-1"))
    response = JSONResponse({"detail": t("body_too_large", lang), "code": "body_too_large"}, status_code=413)
    await response(scope, receive, send)
