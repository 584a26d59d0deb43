"""Learner profiles: create with explicit consent, find by learner code. The learner's rights over
the data (see, correct, erase) and retention are privacy/."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from quiz_api import codes
from quiz_api.db import Raw, utcnow
from quiz_api.errors import Invalid, NotFound
from quiz_api.labels import GROUPS
from quiz_api.learners.models import Learner
from quiz_api.text import CONTROLS, clean_text

CODE_LENGTH = 12  # 60 random bits + a check character
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
_PHONE = re.compile(r"^\+?[0-9 .-]{8,20}$")


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
    if email and (len(email) > 254 or not _EMAIL.match(email) or CONTROLS.search(email)):
        raise Invalid("bad_email")
    phone = (phone or "").strip() or None
    if phone and (not _PHONE.match(phone) or not 8 <= sum(c.isdigit() for c in phone) <= 15):
        raise Invalid("bad_phone")
    organisation = clean_text(organisation)[:200] or None
    unit = (unit_code or "").strip()
    if CONTROLS.search(unit):
        raise Invalid("unknown_unit", unit_code=clean_text(unit))
    return Profile(name, group, unit, organisation, email, phone)


@dataclass(frozen=True)
class Registration:
    """A learner ready to be stored: checked, with a new code and its hash, all before the writer."""

    profile: Profile
    code: str  # shown once to the learner; only code_hash is stored
    code_hash: str
    pseudonym: str
    consent_version: str


def new_registration(*, profile: Profile, consent: bool, consent_version: str) -> Registration:
    """Everything a registration needs but the database: consent checked, code drawn and hashed."""
    if consent is not True:
        raise Invalid("consent_required")
    code = codes.new_code(CODE_LENGTH)
    return Registration(profile, code, hash_code(code), secrets.token_hex(16), consent_version)


_UNIT_EXISTS = "SELECT 1 FROM unit WHERE code = ?"
_INSERT_LEARNER = ('INSERT INTO learner (code_hash, pseudonym, full_name, "group", unit_code, organisation, email, '
                   "phone, consent_version, consent_at, created_at, last_seen_at, is_demo) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id")


def store(conn: Connection, *, registration: Registration) -> int:
    """The registration's database work, in the caller's write transaction (a group-commit job,
    router.py): the unit must exist (else Invalid, nothing written); the new learner's id."""
    raw = Raw(conn)
    profile = registration.profile
    if raw.execute(_UNIT_EXISTS, (profile.unit_code,)).fetchone() is None:
        raise Invalid("unknown_unit", unit_code=profile.unit_code)
    now = raw.dt(utcnow())
    row = raw.execute(_INSERT_LEARNER, (
        registration.code_hash, registration.pseudonym, profile.full_name, profile.group, profile.unit_code,
        profile.organisation, profile.email, profile.phone, registration.consent_version, now, now, now,
        False)).fetchone()
    return row[0]


def create(*, db: Session, profile: Profile, consent: bool, consent_version: str) -> tuple[Learner, str]:
    """Store a new learner in db's transaction (the form page); returns it with its learner code
    (shown once, only its hash is kept). The same checks and statements as the API's writer job."""
    registration = new_registration(profile=profile, consent=consent, consent_version=consent_version)
    learner_id = store(db.connection(), registration=registration)
    return db.get_one(Learner, learner_id), registration.code


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


# --- the hot path: starting an attempt (driver-level statements, db.Raw; no ORM entity) -----------

SEEN_EVERY = timedelta(hours=1)  # a start refreshes the learner's last_seen_at when it is older than this
_ID_BY_CODE = "SELECT id, erased_at FROM learner WHERE code_hash = ?"
# Only when the stored time is SEEN_EVERY old: retention counts in days, and a row (and its
# last_seen_at index entry) rewritten at every start was a write per start for nothing.
_SEEN = "UPDATE learner SET last_seen_at = ? WHERE id = ? AND last_seen_at < ?"


def id_for_code(*, conn: Connection, code: str) -> int:
    """find_by_code for the hot path: the same rules (a mistyped code is 'mistyped_code', an unknown
    or erased one 'unknown_learner'), one driver-level statement, no ORM entity; a test keeps the
    two readers in agreement."""
    if not codes.is_well_formed(code or "", CODE_LENGTH):
        raise NotFound("mistyped_code")
    row = Raw(conn).execute(_ID_BY_CODE, (hash_code(code),)).fetchone()
    if row is None or row[1] is not None:
        raise NotFound("unknown_learner")
    return row[0]


def mark_seen(raw: Raw, *, learner_id: int, now: datetime) -> None:
    """Activity for retention, in the caller's transaction: last_seen_at = now, unless it is recent."""
    raw.execute(_SEEN, (raw.dt(now), learner_id, raw.dt(now - SEEN_EVERY)))
