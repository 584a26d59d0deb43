"""The organiser dashboard (server-rendered, no JavaScript) and its download buttons."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from quiz_api.labels import pick_lang
from quiz_api.organisers.deps import WebOrganiser
from quiz_api.pages import render

router = APIRouter(include_in_schema=False)


@router.get("/organiser")
def dashboard(request: Request, who: WebOrganiser, lang: str | None = None) -> Response:
    return render(request, "dashboard.html", pick_lang(lang), who=who)
