"""Certificate verification API (public, rate-limited against guessing) and revocation (admins)."""

from __future__ import annotations

from fastapi import APIRouter, Path, Request

from quiz_api.banks.deps import BanksDep
from quiz_api.certificates import service as certificates
from quiz_api.certificates.schemas import CertificatePublic, Revocation
from quiz_api.deps import LangDep, ReadDB, SettingsDep, WriteDB
from quiz_api.organisers.deps import AdminOrganiser
from quiz_api.profile import load_profile
from quiz_api.schemas import INVALID, Problem
from quiz_api.strictjson import StrictJSONRoute

router = APIRouter(route_class=StrictJSONRoute, tags=["certificates"])

CertificateCode = Path(max_length=40,
                       description='as printed, e.g. "7KQ2-M9XD-P" (case and hyphens do not matter)')


@router.get("/certificates/{code}", response_model=CertificatePublic,
            responses={404: {"model": Problem}, 429: {"model": Problem}})
def verify_certificate(request: Request, db: ReadDB, banks: BanksDep, settings: SettingsDep, lang: LangDep,
                       code: str = CertificateCode) -> dict:
    """Verify a certificate: valid, revoked or holder erased; module or path, date, masked name.
    A code whose check character fails is 404 `mistyped_code`; an unknown one 404 `unknown_certificate`."""
    request.state.lang = lang
    view = request.app.state.code_limiter.guard(request, lambda: certificates.lookup(db=db, code=code))
    return certificates.public_payload(view, banks=banks, lang=lang,
                                       public_url=settings.public_base(str(request.base_url)),
                                       tz=load_profile(settings.profile_dir).tz)


@router.post("/certificates/{code}/revoke", response_model=CertificatePublic,
             responses={401: {"model": Problem}, 403: {"model": Problem}, 404: {"model": Problem},
                        409: {"model": Problem}, 422: INVALID})
def revoke_certificate(body: Revocation, request: Request, db: WriteDB, banks: BanksDep,
                       settings: SettingsDep, lang: LangDep, who: AdminOrganiser,
                       code: str = CertificateCode) -> dict:
    """(Province admins) Revoke a certificate with a reason: verification then says revoked. The
    reason goes to the audit log and the holder's own data, never to the public. Revoking twice is 409."""
    request.state.lang = lang
    view = certificates.revoke(db=db, code=code, reason=body.reason, actor=who.actor)
    return certificates.public_payload(view, banks=banks, lang=lang,
                                       public_url=settings.public_base(str(request.base_url)),
                                       tz=load_profile(settings.profile_dir).tz)
