"""Class pages: the organiser's list and form, the live class page, the printable join sheet and
attendance sheet; and for learners, the page a join sheet's QR code opens (register or join).

No JavaScript anywhere: the live page reloads itself with a meta refresh.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from quiz_api import cookies
from quiz_api.certificates.qr import qr_svg
from quiz_api.classes import service as classes
from quiz_api.classes import sheets
from quiz_api.classes.router import join_url, xlsx_response
from quiz_api.db import utcnow
from quiz_api.errors import DomainError, Forbidden, NotFound
from quiz_api.labels import pick_lang, t
from quiz_api.learners import service as learners
from quiz_api.learners.deps import find_learner, set_learner_cookie
from quiz_api.learners.models import Learner
from quiz_api.localtime import local_text, now_local, to_local
from quiz_api.organisers import service as organisers
from quiz_api.organisers.deps import WebOrganiser
from quiz_api.pages import check_csrf, render
from quiz_api.profile import load_profile
from quiz_api.units import service as units

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form(max_length=300)]
REFRESH_SECONDS = 25  # the live page reloads itself: no JavaScript on a trainer's old laptop


def _q(lang: str, first: bool = True) -> str:
    return ("?" if first else "&") + "lang=en" if lang == "en" else ""


def _labels(lang: str):
    return lambda key, **params: t(key, lang, **params)


def _title(request: Request, module_id: str, lang: str) -> str:
    return sheets.module_title(request.app.state.banks, module_id, lang)


def _context(request: Request, lang: str, **extra: Any) -> dict[str, Any]:
    return {"L": _labels(lang), "local_text": local_text, "module_title": lambda m: _title(request, m, lang),
            **extra}


# --- organisers -----------------------------------------------------------------------------------

def _list_page(request: Request, who, lang: str, status_code: int = 200, error: str | None = None,
               form: dict[str, Any] | None = None) -> Response:
    with request.app.state.database.reading() as db:
        rows = classes.list_for(db=db, who=who)
        visible = organisers.visible_units(db=db, who=who)
        unit_options = [u for u in units.list_units(db=db) if visible is None or u.code in visible]
    today = now_local()
    defaults = {"date": today.date().isoformat(), "time": "08:00", "unit_code": "", "modules": [],
                "expected_headcount": "30", "title": "", "place": "", "trainer_name": ""}
    return render(request, "classes_list.html", lang, status_code=status_code, who=who,
                  **_context(request, lang, rows=rows, unit_options=unit_options, error=error,
                             form={**defaults, **(form or {})}, banks=request.app.state.banks))


@router.get("/organiser/classes")
def class_list(request: Request, who: WebOrganiser, lang: str | None = None) -> Response:
    return _list_page(request, who, pick_lang(lang))


@router.post("/organiser/classes")
async def class_create(request: Request, who: WebOrganiser) -> Response:
    form = await request.form()
    lang = pick_lang(str(form.get("lang", "vi")))
    check_csrf(request, str(form.get("csrf_token", "")))
    values = {k: str(form.get(k, ""))[:300] for k in ("title", "date", "time", "place", "unit_code",
                                                       "trainer_name", "expected_headcount")}
    values["modules"] = [str(m)[:64] for m in form.getlist("modules")][:classes.MAX_MODULES + 1]
    try:
        headcount = int(values["expected_headcount"]) if values["expected_headcount"].strip().isdigit() else 0
        data = classes.ClassIn(title=values["title"], starts_at=classes.parse_local(values["date"], values["time"]),
                               place=values["place"], unit_code=values["unit_code"], module_ids=values["modules"],
                               trainer_name=values["trainer_name"], expected_headcount=headcount)
        with request.app.state.database.writing() as db:
            created, warnings = classes.create(db=db, who=who, data=data, known_modules=set(request.app.state.banks))
            code = created.code
    except Forbidden:
        raise
    except DomainError as exc:
        return _list_page(request, who, lang, status_code=exc.status, error=t(exc.key, lang, **exc.params),
                          form=values)
    query = "?created=1" + ("&past=1" if warnings else "") + _q(lang, first=False)
    return RedirectResponse(f"/organiser/classes/{code}{query}", status_code=303)


def _progress(request: Request, who, code: str, sheet: str | None = None) -> classes.Progress:
    """The class's progress; `sheet` (a format) records in the audit log that a sheet with names was made."""
    database = request.app.state.database
    with database.writing() if sheet else database.reading() as db:
        found = classes.get_for(db=db, who=who, code=code[:40])
        progress = classes.progress(db=db, training_class=found)
        if sheet:
            classes.record_sheet(db=db, who=who, progress=progress, fmt=sheet)
        return progress


@router.get("/organiser/classes/{code}")
def class_page(request: Request, code: str, who: WebOrganiser, lang: str | None = None, created: int = 0,
               past: int = 0, live: int = 1) -> Response:
    """On the day: who joined, started, submitted and passed each module; reloads every 25 s unless
    the reader turned that off (`live=0`, the page's first link: WCAG 2.2.1, a time limit one can stop)."""
    lang = pick_lang(lang)
    progress = _progress(request, who, code)
    return render(request, "class_live.html", lang, who=who, **_context(
        request, lang, p=progress, c=progress.training_class, refresh=REFRESH_SECONDS if live else None,
        created=bool(created),
        past=bool(past), updated=local_text(utcnow(), seconds=True),
        join_url=join_url(request.app.state.settings.public_url, progress.training_class.code)))


@router.post("/organiser/classes/{code}/{action}")
def class_close(request: Request, code: str, action: str, who: WebOrganiser,
                csrf_token: Annotated[str, Form()] = "", lang: Annotated[str, Form()] = "vi") -> Response:
    lang = pick_lang(lang)
    check_csrf(request, csrf_token)
    if action not in ("close", "reopen"):
        raise NotFound("not_found")
    with request.app.state.database.writing() as db:
        found = classes.set_closed(db=db, who=who, code=code[:40], closed=action == "close")
        code = found.code
    return RedirectResponse(f"/organiser/classes/{code}{_q(lang)}", status_code=303)


@router.get("/organiser/classes/{code}/join-sheet")
def join_sheet(request: Request, code: str, who: WebOrganiser, lang: str | None = None) -> Response:
    """A4, to print and pin up: the class, its code in big letters, and a QR code to the join page."""
    lang = pick_lang(lang)
    progress = _progress(request, who, code)
    url = join_url(request.app.state.settings.public_url, progress.training_class.code)
    return render(request, "class_join_sheet.html", lang, who=who, **_context(
        request, lang, p=progress, c=progress.training_class, url=url, qr=qr_svg(url),
        profile=load_profile(request.app.state.settings.profile_dir)))


@router.get("/organiser/classes/{code}/sheet")
def attendance_sheet(request: Request, code: str, who: WebOrganiser, lang: str | None = None) -> Response:
    """After the class: attendance and results, one table on A4, with room for the trainer's signature."""
    lang = pick_lang(lang)
    progress = _progress(request, who, code, sheet="html")
    banks = request.app.state.banks
    return render(request, "class_sheet.html", lang, who=who, **_context(
        request, lang, p=progress, c=progress.training_class, rows=sheets.rows(progress, lang),
        details=sheets.details(progress, banks, lang), generated=local_text(utcnow()),
        profile=load_profile(request.app.state.settings.profile_dir)))


@router.get("/organiser/classes/{code}/sheet.xlsx")
def attendance_xlsx(request: Request, code: str, who: WebOrganiser, lang: str | None = None) -> Response:
    lang = pick_lang(lang)
    return xlsx_response(_progress(request, who, code, sheet="xlsx"), request.app.state.banks, lang)


# --- learners: the page the QR code opens --------------------------------------------------------

def _cookie_learner(request: Request) -> Learner | None:
    code = cookies.read(request, cookies.LEARNER)
    if not code:
        return None
    try:
        with request.app.state.database.reading() as db:
            return find_learner(request, db, code)
    except DomainError:
        return None


def _join_page(request: Request, code: str, lang: str, status_code: int = 200, error: str | None = None,
               form: dict[str, str] | None = None, joined: bool = False, new_code: str | None = None,
               learner: Learner | None = None) -> Response:
    state = request.app.state
    with state.database.reading() as db:
        found = state.code_limiter.guard(request, lambda: classes.find(db=db, code=code[:40]))
        modules = classes.module_ids(db=db, class_id=found.id)
        unit_list = units.list_units(db=db)
    learner = learner or _cookie_learner(request)
    chosen = {"unit_code": request.query_params.get("unit") or found.unit_code, **(form or {})}
    return render(request, "class_join.html", lang, status_code=status_code, **_context(
        request, lang, c=found, modules=modules, units=unit_list, learner=learner, error=error, form=chosen,
        joined=joined, new_code=new_code, closed=found.closed_at is not None, starts=to_local(found.starts_at),
        retention_months=state.settings.retention_days // 30))


@router.get("/lop")
def join_form(request: Request, lang: str | None = None, code: str = "") -> Response:
    """Type a class code (when the QR code cannot be scanned)."""
    lang = pick_lang(lang)
    if code.strip():
        try:
            with request.app.state.database.reading() as db:
                found = request.app.state.code_limiter.guard(request, lambda: classes.find(db=db, code=code[:40]))
            return RedirectResponse(f"/lop/{found.code}{_q(lang)}", status_code=303)
        except DomainError as exc:
            return render(request, "class_code.html", lang, status_code=exc.status,
                          **_context(request, lang, error=t(exc.key, lang, **exc.params), code=code[:40]))
    return render(request, "class_code.html", lang, **_context(request, lang, error=None, code=""))


@router.get("/lop/{code}")
def join_page(request: Request, code: str, lang: str | None = None) -> Response:
    return _join_page(request, code, pick_lang(lang))


@router.post("/lop/{code}/register")
def join_register(
    request: Request, code: str, csrf_token: Annotated[str, Form()] = "", lang: Annotated[str, Form()] = "vi",
    full_name: Text = "", group: Annotated[str, Form(max_length=40)] = "",
    unit_code: Annotated[str, Form(max_length=64)] = "", organisation: Text = "", email: Text = "",
    phone: Annotated[str, Form(max_length=40)] = "", consent: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """A new learner: the profile and the class in one transaction (nothing stored if either fails)."""
    lang = pick_lang(lang)
    check_csrf(request, csrf_token)
    form = {"full_name": full_name, "group": group, "unit_code": unit_code, "organisation": organisation,
            "email": email, "phone": phone}
    state = request.app.state
    try:
        profile = learners.clean_profile(full_name=full_name, group=group, unit_code=unit_code,
                                         organisation=organisation, email=email, phone=phone)
        with state.database.writing() as db:
            found = state.code_limiter.guard(request, lambda: classes.find_open(db=db, code=code[:40]))
            learner, learner_code = learners.create(db=db, profile=profile, consent=consent == "yes",
                                                    consent_version=state.settings.consent_version)
            classes.join(db=db, training_class=found, learner_id=learner.id)
    except DomainError as exc:
        return _join_page(request, code, lang, status_code=exc.status, form=form,
                          error=t(exc.key, lang, **exc.params))
    response = _join_page(request, code, lang, joined=True, new_code=learner_code, learner=learner)
    set_learner_cookie(request, response, learner_code)
    return response


@router.post("/lop/{code}/join")
def join_existing(request: Request, code: str, csrf_token: Annotated[str, Form()] = "",
                  lang: Annotated[str, Form()] = "vi",
                  learner_code: Annotated[str, Form(max_length=64)] = "") -> Response:
    """A learner who has a code (typed, or carried by this browser) joins; joining twice is harmless."""
    lang = pick_lang(lang)
    check_csrf(request, csrf_token)
    state = request.app.state
    typed = learner_code.strip()
    try:
        with state.database.writing() as db:
            found = state.code_limiter.guard(request, lambda: classes.find_open(db=db, code=code[:40]))
            if typed:
                learner = find_learner(request, db, typed)
            else:
                learner = _cookie_learner(request)
                if learner is None:
                    raise NotFound("unknown_learner")
            classes.join(db=db, training_class=found, learner_id=learner.id)
    except DomainError as exc:
        return _join_page(request, code, lang, status_code=exc.status, error=t(exc.key, lang, **exc.params))
    response = _join_page(request, code, lang, joined=True, learner=learner)
    if typed:
        set_learner_cookie(request, response, typed.upper())
    return response
