"""Certificate pages for people: the printable certificate, public verification, the badge download."""

from __future__ import annotations

from datetime import date, datetime

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from quiz_api import cookies, localtime
from quiz_api.certificates import service as certificates
from quiz_api.certificates.qr import qr_svg
from quiz_api.errors import Expired, NotFound
from quiz_api.labels import pick_lang, t
from quiz_api.learners import service as learners
from quiz_api.pages import render
from quiz_api.profile import load_profile

router = APIRouter(include_in_schema=False)
MAX_CODE = 40


def long_date(value: date | datetime, lang: str) -> str:
    """'5 December 2026' or 'ngày 05 tháng 12 năm 2026', as a certificate prints a date."""
    return t("certificate.long_date", lang, day=value.day, month=value.month, month_name=value.strftime("%B"),
             year=value.year)


def _lookup(request: Request, code: str) -> certificates.CertificateView:
    """The certificate, through the guessing limiter (a miss counts against the client)."""
    def find() -> certificates.CertificateView:
        with request.app.state.database.reading() as db:
            return certificates.lookup(db=db, code=code[:MAX_CODE])
    return request.app.state.code_limiter.guard(request, find)


def _is_holder(request: Request, view: certificates.CertificateView) -> bool:
    """True when this browser carries the holder's learner code (compared by hash, no extra lookup)."""
    code = cookies.read(request, cookies.LEARNER) or ""
    return bool(view.holder_code_hash) and learners.CODE_LENGTH + 1 <= len(code) <= 64 \
        and learners.hash_code(code) == view.holder_code_hash


def _context(request: Request, view: certificates.CertificateView, lang: str) -> dict:
    settings = request.app.state.settings
    profile = load_profile(settings.profile_dir)
    url = certificates.verify_url(settings.public_base(str(request.base_url)), view.code)
    return {
        "cert": view,
        "title": certificates.title(kind=view.kind, subject=view.subject, banks=request.app.state.banks,
                                    lang=lang),
        "subject_url": certificates.subject_url(kind=view.kind, subject=view.subject, lang=lang),
        # the province's calendar day: earned at 06:30 on 1 January there is 1 January, not 31 December
        "issued_on": long_date(localtime.local_date(view.issued_at, profile.tz), lang),
        "revoked_on": long_date(localtime.local_date(view.revoked_at, profile.tz), lang) if view.revoked_at else None,
        "status_message": t(f"certificate_{view.status}", lang),
        "verify_url": url,
        "profile": profile,
    }


@router.get("/certificates/{code}")
def certificate_page(request: Request, code: str, lang: str | None = None) -> Response:
    """The printable certificate (A4 landscape). Its holder sees their full name; anyone else the
    masked one. A revoked certificate, or one whose holder erased their data, shows its status instead."""
    lang = pick_lang(lang)
    view = _lookup(request, code)
    context = _context(request, view, lang)
    if not view.valid:
        return render(request, "certificate_verify.html", lang, **context)
    holder = _is_holder(request, view)
    return render(request, "certificate_page.html", lang, is_holder=holder,
                  holder_name=view.holder_name if holder else view.masked_name,
                  qr=qr_svg(context["verify_url"]), **context)


@router.get("/certificates/{code}/badge.json")
def certificate_badge(request: Request, code: str, lang: str | None = None) -> Response:
    """Open Badges 3.0 credential (unsigned), for a valid certificate only."""
    lang = pick_lang(lang)
    view = _lookup(request, code)
    if not view.valid:
        raise Expired("badge_not_valid")
    settings = request.app.state.settings
    issuer = load_profile(settings.profile_dir).programme_name(lang)
    badge = certificates.open_badge(view, banks=request.app.state.banks, lang=lang,
                                    public_url=settings.public_base(str(request.base_url)), issuer_name=issuer)
    return JSONResponse(badge, media_type="application/ld+json", headers={
        "Content-Disposition": f'attachment; filename="certificate-{view.code}.json"'})


@router.get("/verify")
def verify_form(request: Request, code: str | None = None, lang: str | None = None) -> Response:
    """The form where an employer types a code (GET, so it works with JavaScript off and no cookie)."""
    lang = pick_lang(lang)
    if code:
        try:
            stored = certificates.canonical_code(code[:MAX_CODE])
        except NotFound as exc:
            return render(request, "certificate_verify.html", lang, status_code=404, cert=None,
                          typed=code[:MAX_CODE], error=t(exc.key, lang))
        return RedirectResponse(f"/verify/{stored}" + ("?lang=en" if lang == "en" else ""), status_code=303)
    return render(request, "certificate_verify.html", lang, cert=None, typed="", error=None)


@router.get("/verify/{code}")
def verify_page(request: Request, code: str, lang: str | None = None) -> Response:
    """Public verification: valid, revoked or holder erased; what for, when, and a masked name."""
    lang = pick_lang(lang)
    try:
        view = _lookup(request, code)
    except NotFound as exc:
        return render(request, "certificate_verify.html", lang, status_code=404, cert=None,
                      typed=code[:MAX_CODE], error=t(exc.key, lang))
    return render(request, "certificate_verify.html", lang, typed="", error=None,
                  **_context(request, view, lang))
