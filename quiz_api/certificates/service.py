"""Certificates: issued inside the submission's transaction when a module (or a path) is passed;
verified publicly by code (masked name only), revoked by admins, exported as Open Badges 3.0."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from quiz_api import PACKAGE_DIR, audit, codes, localtime
from quiz_api.aggregates import service as aggregates
from quiz_api.banks import Bank, lesson_url
from quiz_api.certificates.masking import mask_name
from quiz_api.certificates.models import Certificate
from quiz_api.db import Raw, utcnow
from quiz_api.errors import Conflict, Invalid, NotFound
from quiz_api.labels import GROUPS, t
from quiz_api.learners.models import Learner
from quiz_api.text import clean_text

CODE_LENGTH = 8  # 40 random bits + check character, e.g. "7KQ2-M9XD-P"
_cert = Certificate.__table__
_learner = Learner.__table__

# The site page that describes each group's learning path (docs/, linked from path certificates).
PATH_PAGES = {
    "public_servant": "lo-trinh/can-bo-cong-chuc.md",
    "business": "lo-trinh/doanh-nghiep.md",
    "citizen": "lo-trinh/nguoi-dan.md",
}


@lru_cache
def learning_paths(path: Path = PACKAGE_DIR / "learning_paths.yaml") -> dict[str, list[str]]:
    """Group id -> module ids of its learning path, in teaching order."""
    return yaml.safe_load(path.read_text("utf-8"))


# --- issuing (the submission hot path: a handful of indexed statements, no ORM) -----------------

# Driver-level statements (db.Raw): SQLAlchemy Core cost about 60 µs of Python per statement, and
# a first pass runs two or three of them inside the submission's transaction. Measured with
# bench/submit_inprocess.py: about 100 µs less CPU per passing submission than the Core version.
_INSERT = ("INSERT INTO certificate (code, learner_id, kind, subject, attempt_id, score, issued_at) "
           "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING code")
_EXISTING = "SELECT code FROM certificate WHERE learner_id = ? AND kind = ? AND subject = ?"
_PATH_STATE = (  # the learner's group and unit, and the modules they hold a certificate for
    'SELECT l."group", l.unit_code, c.subject FROM learner l LEFT JOIN certificate c '
    "ON c.learner_id = l.id AND c.kind = 'module' WHERE l.id = ?")


def code_for(*, conn: Connection, learner_id: int, module_id: str) -> str | None:
    row = Raw(conn).execute(_EXISTING, (learner_id, "module", module_id)).fetchone()
    return row[0] if row else None


def _issue(raw: Raw, learner_id: int, kind: str, subject: str, attempt_id: str | None,
           score: float | None, issued_at: Any) -> tuple[str, bool]:
    """The learner's certificate of this kind and subject, and whether it was issued just now.
    One statement for a first pass; a code that happens to collide with another certificate's
    (40 random bits: likely once among about a million) is drawn again, never an error.
    RETURNING, not rowcount: psycopg does not report 1 for an INSERT .. ON CONFLICT that inserted."""
    for _ in range(8):
        code = codes.new_code(CODE_LENGTH)
        if raw.execute(_INSERT, (code, learner_id, kind, subject, attempt_id, score, issued_at)).fetchone():
            return code, True
        existing = raw.execute(_EXISTING, (learner_id, kind, subject)).fetchone()
        if existing:
            return existing[0], False
    raise RuntimeError("no free certificate code after 8 draws")  # pragma: no cover - 2^-40 per draw


def issue_for_pass(*, conn: Connection, learner_id: int, module_id: str, attempt_id: str | None, score: float,
                   now: datetime) -> str:
    """The learner's certificate for the module (their first pass keeps its code); also the path one
    when this pass completes the learner's group path. Runs inside the submission's transaction:
    two indexed statements for a first pass (insert; the learner's group and module certificates),
    and a new module certificate is counted in the report aggregates."""
    raw = Raw(conn)
    issued_at = raw.dt(now)
    code, new = _issue(raw, learner_id, "module", module_id, attempt_id, score, issued_at)
    if not new:  # the path was checked when this module was first passed
        return code
    rows = raw.execute(_PATH_STATE, (learner_id,)).fetchall()
    if rows:
        group, unit_code = rows[0][0], rows[0][1]
        aggregates.count_certificate(conn, unit=unit_code, group=group, module_id=module_id, issued_at=now)
        path = learning_paths().get(group, [])
        if module_id in path and set(path) <= {subject for _, _, subject in rows}:
            _issue(raw, learner_id, "path", group, None, None, issued_at)
    return code


_INSERT_MANY_HEAD = "INSERT INTO certificate (code, learner_id, kind, subject, attempt_id, score, issued_at) VALUES "
_INSERT_MANY_TAIL = " ON CONFLICT DO NOTHING RETURNING code"
_PATH_STATE_MANY = (
    'SELECT l.id, l."group", l.unit_code, c.subject FROM learner l LEFT JOIN certificate c '
    "ON c.learner_id = l.id AND c.kind = 'module' WHERE l.id = ANY(?)")


def issue_for_passes(*, conn: Connection, passes: list[tuple[int, str, str, float]], now: datetime) -> list[str]:
    """issue_for_pass for many passes (learner id, module id, attempt id, score) at once, in a
    submission batch's transaction on PostgreSQL: one multi-row INSERT for the module certificates
    and one statement for the path state of the learners who got one, instead of two round trips a
    pass. A pass whose row was not inserted (the learner holds that certificate already, or a code
    collided) goes through issue_for_pass alone. New module certificates are counted in the report
    aggregates. Returns the codes in the order of passes."""
    raw = Raw(conn)
    issued_at = raw.dt(now)
    drawn = [codes.new_code(CODE_LENGTH) for _ in passes]
    rows = [(code, learner_id, "module", module_id, attempt_id, score, issued_at)
            for code, (learner_id, module_id, attempt_id, score) in zip(drawn, passes, strict=True)]
    inserted = {row[0] for row in raw.execute(
        _INSERT_MANY_HEAD + ", ".join(["(?, ?, ?, ?, ?, ?, ?)"] * len(rows)) + _INSERT_MANY_TAIL,
        tuple(value for row in rows for value in row)).fetchall()}
    result: list[str] = []
    new: dict[int, set[str]] = {}  # learner id -> modules first passed in this batch
    for code, (learner_id, module_id, attempt_id, score) in zip(drawn, passes, strict=True):
        if code in inserted:
            new.setdefault(learner_id, set()).add(module_id)
            result.append(code)
        else:  # already held (an earlier pass, or twice in this batch), or the code collided
            result.append(issue_for_pass(conn=conn, learner_id=learner_id, module_id=module_id,
                                         attempt_id=attempt_id, score=score, now=now))
    if new:
        held: dict[int, tuple[str, set[str]]] = {}
        units: dict[int, str] = {}
        for learner_id, group, unit_code, subject in raw.execute(_PATH_STATE_MANY, (list(new),)).fetchall():
            held.setdefault(learner_id, (group, set()))[1].add(subject)
            units[learner_id] = unit_code
        for learner_id, (group, subjects) in held.items():
            for module_id in sorted(new[learner_id]):
                aggregates.count_certificate(conn, unit=units[learner_id], group=group, module_id=module_id,
                                             issued_at=now)
            path = learning_paths().get(group, [])
            if new[learner_id] & set(path) and set(path) <= subjects:
                _issue(raw, learner_id, "path", group, None, None, issued_at)
    return result


# --- looking up and verifying ---------------------------------------------------------------------

@dataclass(frozen=True)
class CertificateView:
    """A certificate with what is known of its holder. `holder_name` is the full name: only the
    holder's own pages may show it; everything public uses `masked_name`."""

    code: str
    kind: str  # "module" | "path"
    subject: str  # module id, or group id for a path
    score: float | None
    issued_at: datetime
    revoked_at: datetime | None
    revoked_reason: str | None
    learner_id: int
    holder_name: str | None
    holder_code_hash: str | None
    holder_erased_at: datetime | None

    @property
    def status(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.holder_erased_at is not None:
            return "holder_erased"
        return "valid"

    @property
    def valid(self) -> bool:
        return self.status == "valid"

    @property
    def masked_name(self) -> str | None:
        return None if self.holder_erased_at is not None else mask_name(self.holder_name)


def canonical_code(code: str) -> str:
    """The stored form of a typed certificate code (upper case, grouped), or NotFound when mistyped."""
    if not codes.is_well_formed(code or "", CODE_LENGTH):
        raise NotFound("mistyped_code")
    return codes.format_code(codes.normalise(code))


def lookup(*, db: Session, code: str) -> CertificateView:
    """The certificate behind a typed code: 'mistyped_code' when the check character fails,
    'unknown_certificate' when no certificate has it."""
    stored = canonical_code(code)
    row = db.execute(
        select(_cert.c.code, _cert.c.kind, _cert.c.subject, _cert.c.score, _cert.c.issued_at,
               _cert.c.revoked_at, _cert.c.revoked_reason, _cert.c.learner_id,
               _learner.c.full_name, _learner.c.code_hash, _learner.c.erased_at)
        .join(_learner, _learner.c.id == _cert.c.learner_id)
        .where(_cert.c.code == stored)
    ).first()
    if row is None:
        raise NotFound("unknown_certificate")
    return CertificateView(
        code=row.code, kind=row.kind, subject=row.subject, score=row.score, issued_at=row.issued_at,
        revoked_at=row.revoked_at, revoked_reason=row.revoked_reason, learner_id=row.learner_id,
        holder_name=row.full_name, holder_code_hash=row.code_hash, holder_erased_at=row.erased_at,
    )


def title(*, kind: str, subject: str, banks: dict[str, Bank], lang: str) -> str:
    """What the certificate is for: the module's title from its bank, or the group's learning path."""
    if kind == "path":
        group = GROUPS.get(subject, {}).get(lang, subject)
        return t("path_title", lang, group=group)
    bank = banks.get(subject)
    return bank.title[lang] if bank else subject


def subject_url(*, kind: str, subject: str, lang: str) -> str | None:
    """The site page the certificate's module or path is taught on."""
    if kind == "path":
        page = PATH_PAGES.get(subject)
        return lesson_url(page, lang) if page else None
    return lesson_url(f"{subject}/index.md", lang)


def verify_url(public_url: str, code: str) -> str:
    return f"{public_url.rstrip('/')}/verify/{code}"


def public_payload(view: CertificateView, *, banks: dict[str, Bank], lang: str,
                   public_url: str, tz: tzinfo) -> dict[str, Any]:
    """What anyone holding the code may learn: never the full name, email or phone. Dates are the
    province's calendar days (tz)."""
    return {
        "code": view.code,
        "valid": view.valid,
        "status": view.status,
        "message": t(f"certificate_{view.status}", lang),
        "kind": view.kind,
        "module_id": view.subject if view.kind == "module" else None,
        "path": view.subject if view.kind == "path" else None,
        "title": title(kind=view.kind, subject=view.subject, banks=banks, lang=lang),
        "issued_on": localtime.local_date(view.issued_at, tz),
        "revoked_on": localtime.local_date(view.revoked_at, tz) if view.revoked_at else None,
        "holder": view.masked_name,
        "verify_url": verify_url(public_url, view.code),
    }


# --- revoking -------------------------------------------------------------------------------------

def revoke(*, db: Session, code: str, reason: str, actor: str,
           now: datetime | None = None) -> CertificateView:
    """Revoke a certificate for a stated reason (kept for the holder and the audit log, not shown
    publicly). Revoking twice raises Conflict and changes nothing."""
    reason = clean_text(reason)
    if not reason or len(reason) > 500:
        raise Invalid("revoke_reason_required")
    view = lookup(db=db, code=code)
    if view.revoked_at is not None:
        raise Conflict("already_revoked", revoked_on=view.revoked_at)  # a stored time: shown in local time
    now = now or utcnow()
    with aggregates.changing(db.connection(), [view.learner_id]):  # a revoked certificate no longer counts
        db.execute(update(_cert).where(_cert.c.code == view.code, _cert.c.revoked_at.is_(None))
                   .values(revoked_at=now, revoked_reason=reason))
    audit.record(db=db, actor=actor, action="certificate.revoke",
                 detail={"code": view.code, "reason": reason}, row_count=1)
    return lookup(db=db, code=view.code)


# --- Open Badges 3.0 ------------------------------------------------------------------------------

def open_badge(view: CertificateView, *, banks: dict[str, Bank], lang: str, public_url: str,
               issuer_name: str) -> dict[str, Any]:
    """An unsigned OpenBadgeCredential (Open Badges 3.0) for a valid certificate: no issuer key is
    configured, so the verification page it names is the proof. The subject is identified by that
    URL, never by a name or an email address."""
    base = public_url.rstrip("/")
    url = verify_url(public_url, view.code)
    name = title(kind=view.kind, subject=view.subject, banks=banks, lang=lang)
    page = subject_url(kind=view.kind, subject=view.subject, lang=lang)
    credential: dict[str, Any] = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": f"{base}/certificates/{view.code}/badge.json",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": name,
        "description": t("badge_unsigned", lang, url=url),
        "issuer": {"id": base + "/", "type": ["Profile"], "name": issuer_name, "url": base + "/"},
        "validFrom": view.issued_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [{"type": "IdentityObject", "identityHash": url, "identityType": "url",
                            "hashed": False}],
            "achievement": {
                "id": f"{base}/achievements/{view.kind}/{view.subject}",
                "type": ["Achievement"],
                "achievementType": "Certificate",
                "name": name,
                "description": t(f"badge_description_{view.kind}", lang, title=name),
                "criteria": {"narrative": t(f"badge_criteria_{view.kind}", lang),
                             **({"id": base + page} if page else {})},
                "inLanguage": lang,
            },
        },
        "evidence": [{"id": url, "type": ["Evidence"], "name": t("badge_evidence", lang)}],
    }
    return credential
