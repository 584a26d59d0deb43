"""Signing in and out on a device: resume with a learner code (sets the cookie), forget it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from quiz_api.errors import DomainError
from quiz_api.labels import pick_lang, t
from quiz_api.learners.deps import find_learner, forget_learner_cookie, set_learner_cookie
from quiz_api.pages import check_csrf, render

router = APIRouter(include_in_schema=False)
Lang = Annotated[str, Form()]


@router.get("/learner/resume")
def resume_form(request: Request, lang: str | None = None, next: str = "/") -> Response:
    return render(request, "learner_resume.html", pick_lang(lang), next=_safe_next(next), error=None)


@router.post("/learner/resume")
def resume(request: Request, csrf_token: Annotated[str, Form()] = "", lang: Lang = "vi",
           code: Annotated[str, Form(max_length=64)] = "", next: Annotated[str, Form(max_length=300)] = "/",
           remember: Annotated[str, Form(max_length=10)] = "") -> Response:
    lang = pick_lang(lang)
    check_csrf(request, csrf_token)
    try:
        with request.app.state.database.reading() as db:
            find_learner(request, db, code)  # refused while over the limit; misses count as guesses
    except DomainError as exc:
        return render(request, "learner_resume.html", lang, status_code=exc.status, next=_safe_next(next),
                      error=t(exc.key, lang, **exc.params))
    response = RedirectResponse(_safe_next(next), status_code=303)
    set_learner_cookie(request, response, code.strip().upper(), remember=remember == "yes")
    return response


@router.post("/learner/forget")
def forget(request: Request, csrf_token: Annotated[str, Form()] = "", lang: Lang = "vi",
           next: Annotated[str, Form(max_length=300)] = "/") -> Response:
    """Sign out on this device: the cookies go, the data stays."""
    check_csrf(request, csrf_token)
    response = RedirectResponse(_safe_next(next), status_code=303)
    forget_learner_cookie(request, response)
    return response


def _safe_next(target: str) -> str:
    """Only local paths: never redirect a learner to another site."""
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else "/"
