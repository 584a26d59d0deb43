"""JSON request bodies whose strings are all real Unicode text.

Python's json.loads accepts a lone UTF-16 surrogate written as an escape ("\\ud800") and returns a
str that cannot be encoded as UTF-8. Such a string passed validation (a question id in a
submission), went into an error message, and the response could not be encoded: a 500. RFC 8259
(section 8.2) leaves such strings' behaviour unpredictable; here they are malformed JSON, a 422,
like any other body that is not JSON. Every API router uses StrictJSONRoute (a test walks the routes).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute

# A \uD800-\uDFFF escape, the only way a surrogate gets into a JSON text that is valid UTF-8; the
# walk below runs only when one appears (an emoji sent escaped, as a pair, is legitimate).
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def _has_lone_surrogate(value: Any) -> bool:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, dict):
        return any(_has_lone_surrogate(k) or _has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_lone_surrogate(v) for v in value)
    return False


def loads(body: bytes) -> Any:
    """json.loads, refusing (json.JSONDecodeError) a string that holds a lone surrogate."""
    value = json.loads(body)
    found = _SURROGATE_ESCAPE.search(body)
    if found and _has_lone_surrogate(value):
        text = body.decode("utf-8", "replace")
        raise json.JSONDecodeError("lone UTF-16 surrogate in a string", text, found.start())
    return value


class StrictJSONRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = loads(await self.body())
        return self._json


class StrictJSONRoute(APIRoute):
    """An API route whose JSON body is parsed by `loads` (FastAPI answers its error as malformed JSON)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def strict_handler(request: Request) -> Response:
            return await handler(StrictJSONRequest(request.scope, request.receive))

        return strict_handler
