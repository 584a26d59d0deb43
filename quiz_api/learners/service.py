"""Learner profiles: create with explicit consent, find by learner code."""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, String, cast, func, select, update
from sqlalchemy.orm import Session

from quiz_api import codes
from quiz_api.attempts.models import Attempt, AttemptAnswer
from quiz_api.certificates.models import Certificate
from quiz_api.classes import service as classes
from quiz_api.db import utcnow
from quiz_api.errors import Invalid, NotFound
from quiz_api.labels import GROUPS
from quiz_api.learners.models import Learner
from quiz_api.reports import audit
from quiz_api.units.models import Unit

CODE_LENGTH = 12  # 60 random bits + a check character
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
_PHONE = re.compile(r"^\+?[0-9 .-]{8,20}$")
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Profile:
    full_name: str
    group: str
    unit_code: str
    organisation: str | None = None
    email: str | None = None
    phone: str | None = None


def hash_code(code: str) -> str:
    return hashlib.sha256(codes.normalise(code).encode()).hexdigest()


def clean_text(value: str | None) -> str:
    """One line of typed text: NFC, control characters dropped (PostgreSQL refuses NUL; none belongs
    in a name), runs of spaces collapsed."""
    return " ".join(_CONTROLS.sub(" ", unicodedata.normalize("NFC", value or "")).split())


def clean_profile(
    *, full_name: str, group: str, unit_code: str, organisation: str | None, email: str | None, phone: str | None
) -> Profile:
    """Normalise and check a profile; raise Invalid naming the first problem."""
    name = clean_text(full_name)
    if not name or len(name) > 120:
        raise Invalid("name_required")
    if group not in GROUPS:
        raise Invalid("bad_group")
    email = (email or "").strip() or None
    if email and (len(email) > 254 or not _EMAIL.match(email) or _CONTROLS.search(email)):
        raise Invalid("bad_email")
    phone = (phone or "").strip() or None
    if phone and (not _PHONE.match(phone) or not 8 <= sum(c.isdigit() for c in phone) <= 15):
        raise Invalid("bad_phone")
    organisation = clean_text(organisation)[:200] or None
    unit = (unit_code or "").strip()
    if _CONTROLS.search(unit):
        raise Invalid("unknown_unit", unit_code=clean_text(unit))
    return Profile(name, group, unit, organisation, email, phone)


def create(*, db: Session, profile: Profile, consent: bool, consent_version: str) -> tuple[Learner, str]:
    """Store a new learner; returns it with its learner code (shown once, only its hash is kept)."""
    if consent is not True:
        raise Invalid("consent_required")
    if db.get(Unit, profile.unit_code) is None:
        raise Invalid("unknown_unit", unit_code=profile.unit_code)
    code = codes.new_code(CODE_LENGTH)
    now = utcnow()
    learner = Learner(
        code_hash=hash_code(code),
        pseudonym=secrets.token_hex(16),
        full_name=profile.full_name,
        group=profile.group,
        unit_code=profile.unit_code,
        organisation=profile.organisation,
        email=profile.email,
        phone=profile.phone,
        consent_version=consent_version,
        consent_at=now,
        created_at=now,
        last_seen_at=now,
    )
    db.add(learner)
    db.flush()
    return learner, code


def find_by_code(*, db: Session, code: str) -> Learner:
    """The learner holding this code; a typo gets 'mistyped', an unknown or erased code 'unknown'."""
    if not codes.is_well_formed(code or "", CODE_LENGTH):
        raise NotFound("mistyped_code")
    learner = db.scalar(select(Learner).where(Learner.code_hash == hash_code(code)))
    if learner is None or learner.erased_at is not None:
        raise NotFound("unknown_learner")
    return learner


def touch(*, db: Session, learner_id: int) -> None:
    db.execute(update(Learner).where(Learner.id == learner_id).values(last_seen_at=utcnow()))


# Every column that can identify a person (or link back to one) and is nulled on erasure. Group,
# unit and the attempts stay, so anonymous counts and the province's statistics still add up.
PERSONAL_FIELDS = ("full_name", "email", "phone", "organisation", "code_hash", "consent_version",
                   "consent_at")


def _erase_where(db: Session, condition: ColumnElement[bool], now: datetime) -> int:
    """Null the personal fields of every not-yet-erased learner matching condition, in the caller's
    transaction; the pseudonym is replaced too, so xAPI statements exported before cannot be linked
    to what stays. Returns how many learners were erased."""
    values: dict[str, object] = {name: None for name in PERSONAL_FIELDS}
    values.update(erased_at=now, pseudonym="erased-" + cast(Learner.id, String))
    result = db.execute(
        update(Learner).where(condition, Learner.erased_at.is_(None)).values(**values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def erase(*, db: Session, learner_id: int, actor: str = "learner", now: datetime | None = None) -> bool:
    """Erase one learner's personal data for good (also what withdrawing consent does). False when
    it was erased already: erasing twice changes nothing."""
    erased = _erase_where(db, Learner.id == learner_id, now or utcnow())
    if erased:  # who asked and how many, never whom: the log must not undo the erasure
        audit.record(db=db, actor=actor, action="learner.erase", detail={}, row_count=erased)
    return erased == 1


@dataclass(frozen=True)
class PurgeResult:
    cutoff: datetime
    count: int
    applied: bool


def purge(*, db: Session, retention_days: int, apply: bool = False,
          now: datetime | None = None) -> PurgeResult:
    """Retention: erase (with the same erasure as a learner's own request) every learner not seen
    for retention_days. A dry run only counts. Idempotent: erased learners are never counted again,
    so running it daily is safe; each applied run leaves one audit row (actor "system")."""
    if retention_days < 1:
        raise Invalid("invalid_input")
    now = now or utcnow()
    cutoff = now - timedelta(days=retention_days)
    stale = Learner.last_seen_at < cutoff
    if not apply:
        count = db.scalar(select(func.count()).select_from(Learner).where(stale, Learner.erased_at.is_(None)))
        return PurgeResult(cutoff, int(count or 0), False)
    count = _erase_where(db, stale, now)
    audit.record(db=db, actor="system", action="learner.purge", row_count=count,
                 detail={"retention_days": retention_days, "cutoff": cutoff.isoformat(timespec="seconds")})
    return PurgeResult(cutoff, count, True)


# --- the learner's rights: access and copy, correction --------------------------------------------

def export(*, db: Session, learner_id: int) -> dict[str, Any]:
    """Everything stored about one learner, every column of every row that belongs to them, so a
    column added later is exported without anyone remembering to. Labels (group, unit, module
    titles) are added by the caller's presentation layer."""
    learner_t, attempt_t, answer_t, cert_t = (Learner.__table__, Attempt.__table__, AttemptAnswer.__table__,
                                              Certificate.__table__)
    profile = db.execute(select(learner_t).where(learner_t.c.id == learner_id)).mappings().one()
    attempts = [dict(row) for row in db.execute(
        select(attempt_t).where(attempt_t.c.learner_id == learner_id).order_by(attempt_t.c.started_at)
    ).mappings()]
    answers: dict[str, list[dict[str, Any]]] = {}
    for row in db.execute(
        select(answer_t).join(attempt_t, attempt_t.c.id == answer_t.c.attempt_id)
        .where(attempt_t.c.learner_id == learner_id).order_by(answer_t.c.attempt_id, answer_t.c.position)
    ).mappings():
        answer = dict(row)
        answer["chosen"] = [c for c in answer["chosen"].split(",") if c]
        answers.setdefault(answer.pop("attempt_id"), []).append(answer)
    for attempt in attempts:
        attempt["draw"] = json.loads(attempt["draw"])
        attempt["answers"] = answers.get(attempt["id"], [])
    certificates = [dict(row) for row in db.execute(
        select(cert_t).where(cert_t.c.learner_id == learner_id).order_by(cert_t.c.issued_at, cert_t.c.kind))
        .mappings()]
    unit = db.get(Unit, profile["unit_code"])
    return {
        "profile": dict(profile),
        "unit_name": unit.name if unit else None,
        "consent": {"notice_version": profile["consent_version"], "agreed_at": profile["consent_at"]},
        "attempts": attempts,
        "certificates": certificates,
        "classes": classes.memberships(db=db, learner_id=learner_id),
    }


CORRECTABLE = ("full_name", "unit_code", "organisation", "email", "phone")


def correct(*, db: Session, learner_id: int, changes: dict[str, str | None]) -> None:
    """Correct the learner's own details (right to rectification), checked as at registration;
    an unknown unit or a bad value raises Invalid and changes nothing."""
    unknown = set(changes) - set(CORRECTABLE)
    if unknown or not changes:
        raise Invalid("invalid_input")
    learner = db.get(Learner, learner_id)
    if learner is None or learner.erased_at is not None:
        raise NotFound("unknown_learner")
    merged = {name: getattr(learner, name) for name in CORRECTABLE}
    merged.update(changes)
    profile = clean_profile(full_name=merged["full_name"] or "", group=learner.group,
                            unit_code=merged["unit_code"] or "", organisation=merged["organisation"],
                            email=merged["email"], phone=merged["phone"])
    if profile.unit_code != learner.unit_code and db.get(Unit, profile.unit_code) is None:
        raise Invalid("unknown_unit", unit_code=profile.unit_code)
    db.execute(update(Learner).where(Learner.id == learner_id).values(
        full_name=profile.full_name, unit_code=profile.unit_code, organisation=profile.organisation,
        email=profile.email, phone=profile.phone, last_seen_at=utcnow()))
