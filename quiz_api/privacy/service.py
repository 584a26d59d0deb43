"""The learner's rights over their data: see and copy everything stored (export), correct it,
erase it (also how consent is withdrawn), and retention (purge of learners long inactive).

It sits above attempts and certificates: it reads their rows for the copy; they never import it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, String, cast, func, select, update
from sqlalchemy.orm import Session

from quiz_api import audit
from quiz_api.aggregates import service as aggregates
from quiz_api.attempts.models import Attempt, AttemptAnswer
from quiz_api.certificates.models import Certificate
from quiz_api.classes import service as classes
from quiz_api.db import scrub_after_commit, utcnow
from quiz_api.errors import Invalid, NotFound
from quiz_api.learners.models import Learner
from quiz_api.learners.service import clean_profile
from quiz_api.units.models import Unit

# Every column that can identify a person (or link back to one) and is nulled on erasure. Group,
# unit and the attempts stay, so anonymous counts and the province's statistics still add up.
PERSONAL_FIELDS = ("full_name", "email", "phone", "organisation", "code_hash", "consent_version",
                   "consent_at")


def _random_pseudonym(dialect: str) -> ColumnElement[str]:
    """A new random pseudonym per row, made by the database (a purge erases many rows in one UPDATE):
    nothing in it (no internal id, no 'erased' mark) links the learner's later exports to earlier ones."""
    if dialect == "sqlite":
        return func.lower(func.hex(func.randomblob(16)))
    return func.replace(cast(func.gen_random_uuid(), String), "-", "")


def _erase_where(db: Session, condition: ColumnElement[bool], now: datetime) -> int:
    """Null the personal fields of every not-yet-erased learner matching condition, in the caller's
    transaction; the pseudonym is replaced too, so xAPI statements exported before cannot be linked
    to what stays. Returns how many learners were erased."""
    values: dict[str, object] = {name: None for name in PERSONAL_FIELDS}
    values.update(erased_at=now, pseudonym=_random_pseudonym(db.get_bind().dialect.name))
    result = db.execute(
        update(Learner).where(condition, Learner.erased_at.is_(None)).values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount:
        scrub_after_commit(db)  # the old values must leave the files too (db.Database.scrub)
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
    if any(getattr(profile, name) != getattr(learner, name) for name in ("full_name", "organisation", "email",
                                                                         "phone")):
        scrub_after_commit(db)  # a corrected-away value is personal data the learner asked to be rid of
    # A new unit moves the learner's attempts and certificates to it in the report aggregates.
    # (Erasure and purge need no such care: they keep the unit, the group and the rows counted.)
    with aggregates.changing(db.connection(), [learner_id] if profile.unit_code != learner.unit_code else []):
        db.execute(update(Learner).where(Learner.id == learner_id).values(
            full_name=profile.full_name, unit_code=profile.unit_code, organisation=profile.organisation,
            email=profile.email, phone=profile.phone, last_seen_at=utcnow()))
