"""Organiser accounts: create, list, disable, authenticate, and the set of units each may see."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from quiz_api.db import utcnow
from quiz_api.errors import Conflict, Invalid, NotFound, Unauthorized
from quiz_api.organisers import security
from quiz_api.organisers.models import Organiser, OrganiserUnit
from quiz_api.units import service as units
from quiz_api.units.models import Unit

ROLES = ("admin", "unit")
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")


@dataclass(frozen=True)
class Principal:
    """An authenticated organiser as the rest of the code sees it (never the password hash)."""

    id: int
    username: str
    role: str
    unit_codes: frozenset[str]  # the units assigned; their descendants are visible too

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def actor(self) -> str:
        """How the audit log names this organiser."""
        return self.username


def normalise_username(username: str) -> str:
    return (username or "").strip().lower()


def create(*, db: Session, username: str, password: str, role: str, unit_codes: list[str]) -> Organiser:
    """A new organiser; a unit organiser needs at least one existing unit, an admin none."""
    username = normalise_username(username)
    if not _USERNAME.match(username):
        raise Invalid("bad_username")
    if role not in ROLES:
        raise Invalid("bad_role")
    if len(password) < security.MIN_PASSWORD_LENGTH:
        raise Invalid("weak_password", length=security.MIN_PASSWORD_LENGTH)
    codes = list(dict.fromkeys(c.strip() for c in unit_codes if c.strip()))
    if role == "unit" and not codes:
        raise Invalid("unit_required")
    if role == "admin" and codes:
        raise Invalid("admin_has_no_units")
    for code in codes:
        if db.get(Unit, code) is None:
            raise Invalid("unknown_unit", unit_code=code)
    if db.scalar(select(Organiser.id).where(Organiser.username == username)) is not None:
        raise Conflict("username_taken", username=username)
    organiser = Organiser(username=username, password_hash=security.hash_password(password), role=role,
                          created_at=utcnow())
    db.add(organiser)
    db.flush()
    db.add_all(OrganiserUnit(organiser_id=organiser.id, unit_code=c) for c in codes)
    db.flush()
    return organiser


def get_by_username(*, db: Session, username: str) -> Organiser:
    name = normalise_username(username)
    organiser = db.scalar(select(Organiser).where(Organiser.username == name)) if _USERNAME.match(name) else None
    if organiser is None:
        raise NotFound("unknown_organiser", username=username)
    return organiser


def list_all(*, db: Session) -> list[tuple[Organiser, list[str]]]:
    """Every organiser with the units assigned, ordered by username."""
    assigned: dict[int, list[str]] = {}
    for org_id, code in db.execute(select(OrganiserUnit.organiser_id, OrganiserUnit.unit_code)
                                   .order_by(OrganiserUnit.unit_code)):
        assigned.setdefault(org_id, []).append(code)
    return [(o, assigned.get(o.id, [])) for o in db.scalars(select(Organiser).order_by(Organiser.username))]


def set_disabled(*, db: Session, username: str, disabled: bool) -> Organiser:
    """Disable (or enable again) an account; a disabled organiser's tokens stop working at once."""
    organiser = get_by_username(db=db, username=username)
    organiser.disabled_at = utcnow() if disabled else None
    return organiser


def set_password(*, db: Session, username: str, password: str) -> Organiser:
    """A new password; every token issued before stops working (they carry the old hash's fingerprint)."""
    if len(password) < security.MIN_PASSWORD_LENGTH:
        raise Invalid("weak_password", length=security.MIN_PASSWORD_LENGTH)
    organiser = get_by_username(db=db, username=username)
    organiser.password_hash = security.hash_password(password)
    return organiser


def set_units(*, db: Session, username: str, unit_codes: list[str]) -> Organiser:
    organiser = get_by_username(db=db, username=username)
    codes = list(dict.fromkeys(c.strip() for c in unit_codes if c.strip()))
    if organiser.role == "unit" and not codes:
        raise Invalid("unit_required")
    for code in codes:
        if db.get(Unit, code) is None:
            raise Invalid("unknown_unit", unit_code=code)
    db.execute(delete(OrganiserUnit).where(OrganiserUnit.organiser_id == organiser.id))
    db.add_all(OrganiserUnit(organiser_id=organiser.id, unit_code=c) for c in codes)
    db.flush()
    return organiser


def authenticate(*, db: Session, username: str, password: str) -> Organiser:
    """The active organiser with these credentials; one vague error for every failure."""
    name = normalise_username(username)
    # a name no account can have (e.g. with a NUL byte, which PostgreSQL refuses) is never looked up
    organiser = db.scalar(select(Organiser).where(Organiser.username == name)) if _USERNAME.match(name) else None
    ok = security.verify_password(organiser.password_hash if organiser else None, password or "")
    if not ok or organiser is None or organiser.disabled_at is not None:
        raise Unauthorized("bad_credentials")
    return organiser


def principal(*, db: Session, organiser: Organiser) -> Principal:
    codes = db.scalars(select(OrganiserUnit.unit_code).where(OrganiserUnit.organiser_id == organiser.id))
    return Principal(organiser.id, organiser.username, organiser.role, frozenset(codes))


def principal_for_token(*, db: Session, payload: dict) -> Principal | None:
    """The organiser a verified token names, if still active and the password unchanged."""
    sub = payload.get("sub")
    organiser = db.get(Organiser, sub) if isinstance(sub, int) else None
    if organiser is None or organiser.disabled_at is not None:
        return None
    if payload.get("pwf") != security.password_fingerprint(organiser.password_hash):
        return None
    return principal(db=db, organiser=organiser)


def visible_units(*, db: Session, who: Principal) -> set[str] | None:
    """The unit codes this organiser may see: None means every unit (a province admin)."""
    if who.is_admin:
        return None
    return units.descendants(db=db, codes=sorted(who.unit_codes))
