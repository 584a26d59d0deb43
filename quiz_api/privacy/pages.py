"""My data, for people: see everything stored, download it, correct it, erase it (= withdraw consent)."""

from __future__ import annotations

import time
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse, RedirectResponse, Response

from quiz_api import cookies, localtime
from quiz_api.errors import DomainError, Invalid
from quiz_api.labels import pick_lang, t
from quiz_api.learners import service as learners
from quiz_api.learners.deps import find_learner, forget_learner_cookie, set_learner_cookie
from quiz_api.learners.models import Learner
from quiz_api.organisers import security
from quiz_api.organisers.deps import app_secret_key
from quiz_api.pages import check_csrf, render
from quiz_api.privacy import service as privacy
from quiz_api.privacy.document import data_document
from quiz_api.profile import load_profile
from quiz_api.units import service as units

router = APIRouter(include_in_schema=False)
Field = Annotated[str, Form(max_length=300)]


def _q(lang: str) -> str:
    return "?lang=en" if lang == "en" else ""


UNLOCK_SECONDS = 30 * 60  # "My data" stays open this long after the code was typed (and the browser is open)
_PURPOSE = "mydata"


def _open_for(request: Request, response: Response, learner: Learner) -> None:
    """The learner typed their code: open "My data" in this browser session. The cookie names the
    learner and part of the code's hash, so an erasure (or a new code) closes it at once."""
    token = security.sign({"sub": learner.id, "ch": (learner.code_hash or "")[:16],
                           "exp": int(time.time()) + UNLOCK_SECONDS}, key=app_secret_key(request), purpose=_PURPOSE)
    cookies.write(request, response, cookies.MYDATA, token, samesite="strict")  # a session cookie


def opened_learner(request: Request) -> Learner | None:
    """The learner whose code was typed on this visit, or None; the learner cookie alone is not enough."""
    token = cookies.read(request, cookies.MYDATA)
    if not token:
        return None
    try:
        payload = security.unsign(token, key=app_secret_key(request), purpose=_PURPOSE)
    except security.TokenError:
        return None
    with request.app.state.database.reading() as db:
        learner = db.get(Learner, payload.get("sub"))
    if learner is None or learner.erased_at is not None or (learner.code_hash or "")[:16] != payload.get("ch"):
        return None
    return learner


def _document(request: Request, learner_id: int, lang: str) -> dict[str, Any]:
    with request.app.state.database.writing() as db:
        learners.touch(db=db, learner_id=learner_id)  # using the page is activity (retention)
        export = privacy.export(db=db, learner_id=learner_id)
    state = request.app.state
    return data_document(export, banks=state.banks, settings=state.settings, lang=lang,
                         base_url=str(request.base_url))


def _page(request: Request, lang: str, learner: Learner | None, status_code: int = 200,
          error: str | None = None, form: dict[str, str] | None = None, saved: bool = False) -> Response:
    settings = request.app.state.settings
    profile = load_profile(settings.profile_dir)
    tz = profile.tz  # times as people here read them: 01/01/2027 06:30, the province's time
    context: dict[str, Any] = {"profile": profile, "error": error, "saved": saved,
                               "when": partial(localtime.short, tz=tz), "day": partial(localtime.day, tz=tz),
                               "data": None, "units": [], "form": form or {}}
    if learner is not None:
        context["data"] = _document(request, learner.id, lang)
        with request.app.state.database.reading() as db:
            context["units"] = units.list_units(db=db)
        if not form:
            p = context["data"]["profile"]
            context["form"] = {k: p[k] or "" for k in privacy.CORRECTABLE}
    context["remembered"] = bool(cookies.read(request, cookies.LEARNER))  # offer "not you? forget me"
    return render(request, "learner_data.html", lang, status_code=status_code, **context)


@router.get("/learner")
def my_data(request: Request, lang: str | None = None, saved: int = 0) -> Response:
    """Everything stored about the learner who typed their code on this visit; else the form to type it
    (a code remembered by the browser is not enough: the computer may be shared)."""
    lang = pick_lang(lang)
    return _page(request, lang, opened_learner(request), saved=bool(saved))


@router.post("/learner")
def my_data_open(request: Request, csrf_token: Annotated[str, Form()] = "", lang: Annotated[str, Form()] = "vi",
                 code: Annotated[str, Form(max_length=64)] = "",
                 remember: Annotated[str, Form(max_length=10)] = "") -> Response:
    """The learner types their code: "My data" opens for this visit (misses count as guesses)."""
    lang = pick_lang(lang)
    check_csrf(request, csrf_token)
    try:
        with request.app.state.database.reading() as db:
            learner = find_learner(request, db, code)
    except DomainError as exc:
        return _page(request, lang, None, status_code=exc.status, error=t(exc.key, lang, **exc.params))
    response = RedirectResponse(f"/learner{_q(lang)}", status_code=303)
    set_learner_cookie(request, response, code.strip().upper(), remember=remember == "yes")
    _open_for(request, response, learner)
    return response


@router.get("/learner/data.json")
def my_data_download(request: Request, lang: str | None = None) -> Response:
    """The same data as a file (right to a copy)."""
    lang = pick_lang(lang)
    learner = opened_learner(request)
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
    learner = opened_learner(request)
    if learner is None:
        return RedirectResponse(f"/learner{_q(lang)}", status_code=303)
    form = {"full_name": full_name, "unit_code": unit_code, "organisation": organisation, "email": email,
            "phone": phone}
    try:
        with request.app.state.database.writing() as db:
            privacy.correct(db=db, learner_id=learner.id, changes=form)
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
    learner = opened_learner(request)
    if learner is None:  # erased already (a second click, the back button) or never signed in here
        response = render(request, "learner_erased.html", lang, erased=False,
                          message=t("nothing_to_erase", lang))
    elif confirm != "yes":
        return _page(request, lang, learner, status_code=422, error=t("erase_confirm_required", lang))
    else:
        with request.app.state.database.writing() as db:
            privacy.erase(db=db, learner_id=learner.id)
        response = render(request, "learner_erased.html", lang, erased=True,
                          message=t("learner_erased", lang))
    forget_learner_cookie(request, response)
    return response
