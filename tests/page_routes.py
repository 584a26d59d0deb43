"""The application's HTML page routes, enumerated from the app itself (so a new page is covered)."""

from __future__ import annotations

import re

from fastapi.routing import APIRoute, iter_route_contexts

# A value for each path parameter, enough for the route to match (not necessarily to find anything).
SAMPLE_PATH_VALUES = {"module_id": "mau-thu", "attempt_id": "x", "code": "X", "kind": "completions",
                      "which": "units", "action": "close"}


def html_routes(app) -> list[tuple[str, str]]:
    """(method, path) of every page route: the application's routes outside /api and its docs."""
    found = set()
    for context in iter_route_contexts(app.routes):
        if not isinstance(context.original_route, APIRoute) or context.path.startswith("/api"):
            continue
        for method in context.methods or ():
            if method in ("GET", "POST"):
                found.add((method, context.path))
    return sorted(found)


def form_paths(app) -> list[str]:
    """Every form route's path, its parameters filled with sample values."""
    return [re.sub(r"\{(\w+)\}", lambda m: SAMPLE_PATH_VALUES[m.group(1)], path)
            for method, path in html_routes(app) if method == "POST"]
