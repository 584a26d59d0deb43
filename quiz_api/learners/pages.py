"""My data, for people: see everything stored, download it, correct it, erase it (= withdraw consent)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse, RedirectResponse, Response

from quiz_api import cookies
from quiz_api.errors import DomainError, Invalid, NotFound
from quiz_api.labels import pick_lang, t
from quiz_api.learners import service as learners
from quiz_api.learners.deps import find_learner
from quiz_api.learners.document import data_document
from quiz_api.learners.models import Learner
from quiz_api.pages import check_csrf, render
from quiz_api.profile import load_profile
from quiz_api.units import service as units

router = APIRouter(include_in_schema=False)
Field = Annotated[str, Form(max_length=300)]


def _q(lang: str) -> str:
    return "?lang=en" if lang == "en" else ""


def when(value: datetime | None) -> str:
    """A stored (UTC) time as people here write it: 05/12/2026 14:30 UTC."""
    return value.strftime("%d/%m/%Y %H:%M UTC") if value else "—"


def _cookie_learner(request: Request) -> Learner | None:
    """The learner whose code this browser carries (through the guessing limiter), or None."""
    code = cookies.read(request, cookies.LEARNER)
    if not code:
        return None
    with request.app.state.database.reading() as db:
        try:
            return find_learner(request, db, code)
        except NotFound:
            return None


def _document(request: Request, learner_id: int, lang: str) -> dict[str, Any]:
    with request.app.state.database.writing() as db:
        learners.touch(db=db, learner_id=learner_id)  # using the page is activity (retention)
        export = learners.export(db=db, learner_id=learner_id)
    state = request.app.state
    return data_document(export, banks=state.banks, settings=state.settings, lang=lang,
                         base_url=str(request.base_url))


def _page(request: Request, lang: str, learner: Learner | None, status_code: int = 200,
          error: str | None = None, form: dict[str, str] | None = None, saved: bool = False) -> Response:
    settings = request.app.state.settings
    context: dict[str, Any] = {"profile": load_profile(settings.profile_dir), "error": error, "saved": saved,
                               "when": when, "data": None, "units": [], "form": form or {}}
    if learner is not None:
        context["data"] = _document(request, learner.id, lang)
        with request.app.state.database.reading() as db:
            context["units"] = units.list_units(db=db)
        if not form:
            p = context["data"]["profile"]
            context["form"] = {k: p[k] or "" for k in learners.CORRECTABLE}
    response = render(request, "learner_data.html", lang, status_code=status_code, **context)
    if learner is None and cookies.read(request, cookies.LEARNER):
        cookies.forget(request, response, cookies.LEARNER)  # a code that opens nothing any more
    return response


@router.get("/learner")
def my_data(request: Request, lang: str | None = None, saved: int = 0) -> Response:
    """Everything stored about the learner whose code this browser carries; else the form to enter it."""
    lang = pick_lang(lang)
    try:
        learner = _cookie_learner(request)
    except DomainError as exc:  # over the guessing limit
        return _page(request, lang, None, status_code=exc.status, error=t(exc.key, lang))
    return _page(request, lang, learner, saved=bool(saved))


@router.get("/learner/data.json")
def my_data_download(request: Request, lang: str | None = None) -> Response:
    """The same data as a file (right to a copy)."""
    lang = pick_lang(lang)
    learner = _cookie_learner(request)
    if learner is None:
        return RedirectResponse(f"/learner{_q(lang)}", status_code=303)
    document = _document(request, learner.id, lang)
    return JSONResponse(jsonable_encoder(document), headers={
        "Content-Disposition": 'attachment; filename="du-lieu-cua-toi.json"' if lang == "vi"
        else 'attachment; filename="my-data.json"', "Cache-Control": "no-store"})


@router.post("/learner/correct")
def my_data_correct(request: Request, csrf_token: Annotated[str, Form()] = "",
                    lang: Annotated[str, Form()] = "vi", full_name: Field = "", unit_code: Field = "",
                    organisation: Field = "", email: Field = "", phone: Field = "") -> Response:
    """Correct name, unit and the optional fields; a mistake is shown on the form, nothing changes."""
    lang = pick_lang(lang)
    check_csrf(request, csrf_token)
    learner = _cookie_learner(request)
    if learner is None:
        return RedirectResponse(f"/learner{_q(lang)}", status_code=303)
    form = {"full_name": full_name, "unit_code": unit_code, "organisation": organisation, "email": email,
            "phone": phone}
    try:
        with request.app.state.database.writing() as db:
            learners.correct(db=db, learner_id=learner.id, changes=form)
    except Invalid as exc:
        return _page(request, lang, learner, status_code=exc.status, error=t(exc.key, lang, **exc.params),
                     form=form)
    return RedirectResponse(f"/learner?saved=1{'&lang=en' if lang == 'en' else ''}#profile", status_code=303)


@router.post("/learner/erase")
def my_data_erase(request: Request, csrf_token: Annotated[str, Form()] = "",
                  lang: Annotated[str, Form()] = "vi",
                  confirm: Annotated[str, Form(max_length=10)] = "") -> Response:
    """Erase (or withdraw consent, which is the same): one transaction; this browser forgets the code."""
    lang = pick_lang(lang)
    check_csrf(request, csrf_token)
    learner = _cookie_learner(request)
    if learner is None:  # erased already (a second click, the back button) or never signed in here
        response = render(request, "learner_erased.html", lang, erased=False,
                          message=t("nothing_to_erase", lang))
    elif confirm != "yes":
        return _page(request, lang, learner, status_code=422, error=t("erase_confirm_required", lang))
    else:
        with request.app.state.database.writing() as db:
            learners.erase(db=db, learner_id=learner.id)
        response = render(request, "learner_erased.html", lang, erased=True,
                          message=t("learner_erased", lang))
    cookies.forget(request, response, cookies.LEARNER)
    return response
