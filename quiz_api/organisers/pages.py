"""Organiser web pages: log in and out, and (for admins) manage organiser accounts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from quiz_api import audit, cookies
from quiz_api.errors import DomainError, TooSoon
from quiz_api.labels import pick_lang, t
from quiz_api.organisers import security
from quiz_api.organisers import service as organisers
from quiz_api.organisers.deps import (
    LOGIN_PATH,
    WEB_PURPOSE,
    WebAdmin,
    app_secret_key,
    log_in,
    session_organiser,
)
from quiz_api.pages import check_csrf, render
from quiz_api.units import service as units

router = APIRouter(include_in_schema=False)
FormStr = Annotated[str, Form(max_length=1024)]
DASHBOARD = "/organiser"


def safe_next(target: str | None) -> str:
    """Only organiser pages on this site: never redirect to another host after login."""
    if target and target.startswith("/organiser") and "//" not in target and "\\" not in target:
        return target
    return DASHBOARD


def _q(lang: str) -> str:
    return "?lang=en" if lang == "en" else ""


@router.get(LOGIN_PATH)
def login_form(request: Request, lang: str | None = None, next: str | None = None) -> Response:
    lang = pick_lang(lang)
    if session_organiser(request) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, "organiser_login.html", lang, next=safe_next(next), error=None, username="")


@router.post(LOGIN_PATH)
def login(request: Request, csrf_token: FormStr = "", lang: FormStr = "vi", username: FormStr = "",
          password: FormStr = "", next: FormStr = DASHBOARD) -> Response:
    lang = pick_lang(lang)
    check_csrf(request, csrf_token)
    username = username[:64]
    try:
        with request.app.state.database.reading() as db:
            organiser = log_in(request, db, username, password)
    except DomainError as exc:
        response = render(request, "organiser_login.html", lang, status_code=exc.status, next=safe_next(next),
                          error=t(exc.key, lang, **exc.params), username=username)
        if isinstance(exc, TooSoon):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response
    settings = request.app.state.settings
    ttl = settings.session_ttl_minutes * 60
    token, _ = security.issue(organiser_id=organiser.id, password_hash=organiser.password_hash, ttl_seconds=ttl,
                              key=app_secret_key(request), purpose=WEB_PURPOSE)
    target = safe_next(next)
    if lang == "en" and "lang=" not in target:
        target += ("&" if "?" in target else "?") + "lang=en"
    response = RedirectResponse(target, status_code=303)
    cookies.write(request, response, cookies.ORGANISER, token, samesite="lax", max_age=ttl)
    return response


@router.post("/organiser/logout")
def logout(request: Request, csrf_token: FormStr = "", lang: FormStr = "vi") -> Response:
    check_csrf(request, csrf_token)
    response = RedirectResponse(LOGIN_PATH + _q(pick_lang(lang)), status_code=303)
    cookies.forget(request, response, cookies.ORGANISER)
    return response


# --- admin: organiser accounts -------------------------------------------------------------------

def _accounts_page(request: Request, who, lang: str, status_code: int = 200, error: str | None = None,
                   notice: str | None = None, form: dict | None = None) -> Response:
    with request.app.state.database.reading() as db:
        accounts = organisers.list_all(db=db)
        unit_list = units.list_units(db=db)
    return render(request, "organiser_accounts.html", lang, status_code=status_code, who=who, accounts=accounts,
                  units=unit_list, error=error, notice=notice, form=form or {},
                  min_password=security.MIN_PASSWORD_LENGTH)


@router.get("/organiser/accounts")
def accounts(request: Request, who: WebAdmin, lang: str | None = None) -> Response:
    return _accounts_page(request, who, pick_lang(lang))


@router.post("/organiser/accounts")
async def account_action(request: Request, who: WebAdmin) -> Response:
    """Create an account, disable or enable one, or set a new password (one form each)."""
    form = await request.form()
    lang = pick_lang(str(form.get("lang", "vi")))
    check_csrf(request, str(form.get("csrf_token", "")))
    action = str(form.get("action", ""))
    username = str(form.get("username", ""))[:64]
    password = str(form.get("password", ""))[:1024]
    try:
        with request.app.state.database.writing() as db:
            if action == "create":
                role = "admin" if form.get("role") == "admin" else "unit"
                codes = [str(c)[:64] for c in form.getlist("unit_code")][:50] if role == "unit" else []
                organisers.create(db=db, username=username, password=password, role=role, unit_codes=codes)
                notice = t("organiser_created", lang, username=organisers.normalise_username(username))
            elif action in ("disable", "enable"):
                if organisers.normalise_username(username) == who.username:
                    raise DomainError("cannot_disable_self")
                organisers.set_disabled(db=db, username=username, disabled=action == "disable")
                notice = t("organiser_disabled" if action == "disable" else "organiser_enabled", lang,
                           username=username)
            elif action == "password":
                organisers.set_password(db=db, username=username, password=password)
                notice = t("organiser_password_set", lang, username=username)
            else:
                raise DomainError("invalid_input")
            audit.record(db=db, actor=who.actor, action=f"organiser.{action}", detail={"username": username})
    except DomainError as exc:
        keep = {"username": username, "role": str(form.get("role", "unit")),
                "unit_codes": [str(c) for c in form.getlist("unit_code")]} if action == "create" else None
        return _accounts_page(request, who, lang, status_code=exc.status, error=t(exc.key, lang, **exc.params),
                              form=keep)
    return _accounts_page(request, who, lang, notice=notice)
