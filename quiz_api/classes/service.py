"""Classes: schedule one (scoped to the organiser's units), join it by code, follow it, sum it up.

A class's code is a short Crockford base32 code with a Damm check character (quiz_api/codes.py),
like a certificate code: a typo is told apart from an unknown code. Joining is idempotent.
Results are the members' attempts and certificates on the class's modules, whenever taken: a
learner who passed a module before the class is shown as passed.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from quiz_api import audit, codes
from quiz_api.attempts.models import Attempt
from quiz_api.certificates.models import Certificate
from quiz_api.classes.models import ClassMember, ClassModule, TrainingClass
from quiz_api.db import utcnow
from quiz_api.errors import Expired, Forbidden, Invalid, NotFound
from quiz_api.learners.models import Learner
from quiz_api.localtime import from_local, to_local
from quiz_api.organisers import service as organisers
from quiz_api.organisers.service import Principal
from quiz_api.units.models import Unit

CODE_LENGTH = 6  # 30 random bits + a check character, e.g. "7KQ2-M9X": short enough to read aloud
MAX_AHEAD = timedelta(days=366)  # a class more than a year ahead is a typo in the year
MAX_MODULES = 20

_class = TrainingClass.__table__
_module = ClassModule.__table__
_member = ClassMember.__table__
_attempt = Attempt.__table__
_cert = Certificate.__table__
_learner = Learner.__table__
_unit = Unit.__table__


def _line(value: str | None, limit: int, key: str) -> str:
    """One line of typed text: NFC, no control characters, spaces collapsed; Invalid(key) if empty or long."""
    text = " ".join("".join(c if c.isprintable() else " " for c in unicodedata.normalize("NFC", value or ""))
                    .split())
    if not text or len(text) > limit:
        raise Invalid(key)
    return text


@dataclass(frozen=True)
class ClassIn:
    """A class as the organiser typed it; starts_at is Vietnam local time (naive) or an aware time."""

    title: str
    starts_at: datetime
    place: str
    unit_code: str
    module_ids: Sequence[str]
    trainer_name: str
    expected_headcount: int


def parse_local(date_text: str, time_text: str) -> datetime:
    """'2026-12-05' and '08:00' from a form, as a naive Vietnam local time; Invalid when not a date."""
    try:
        return datetime.strptime(f"{(date_text or '').strip()} {(time_text or '').strip()}", "%Y-%m-%d %H:%M")
    except ValueError as exc:
        raise Invalid("class_bad_date") from exc


def _visible(db: Session, who: Principal) -> set[str] | None:
    return organisers.visible_units(db=db, who=who)


def create(*, db: Session, who: Principal, data: ClassIn, known_modules: set[str],
           now: datetime | None = None) -> tuple[TrainingClass, list[str]]:
    """Schedule a class; returns it and the keys of any warnings (a date in the past).

    A unit outside the organiser's units is Forbidden (403); a date more than a year ahead, an
    unknown unit or module, or a missing field is Invalid (422), and nothing is stored."""
    now = now or utcnow()
    title = _line(data.title, 200, "class_title_required")
    place = _line(data.place, 200, "class_place_required")
    trainer = _line(data.trainer_name, 120, "class_trainer_required")
    unit_code = (data.unit_code or "").strip()
    if not unit_code.isprintable() or len(unit_code) > 64 or db.get(Unit, unit_code) is None:
        raise Invalid("unknown_unit", unit_code=unit_code[:64])
    visible = _visible(db, who)
    if visible is not None and unit_code not in visible:
        raise Forbidden("out_of_scope", unit_code=unit_code)
    modules = list(dict.fromkeys(m.strip() for m in data.module_ids if m and m.strip()))
    if not modules:
        raise Invalid("class_modules_required")
    if len(modules) > MAX_MODULES:
        raise Invalid("invalid_input")
    for module_id in modules:
        if module_id not in known_modules:
            raise Invalid("unknown_module", module_id=module_id[:64])
    if isinstance(data.expected_headcount, bool) or not 1 <= int(data.expected_headcount) <= 10_000:
        raise Invalid("class_bad_headcount")
    starts_at = from_local(data.starts_at)
    if starts_at > now + MAX_AHEAD:
        raise Invalid("class_too_far")
    warnings = ["class_in_past"] if starts_at < now - timedelta(hours=12) else []
    training_class = TrainingClass(
        code=_free_code(db), title=title, starts_at=starts_at, place=place, unit_code=unit_code,
        trainer_name=trainer, expected_headcount=int(data.expected_headcount), created_by=who.actor[:64],
        created_at=now)
    db.add(training_class)
    db.flush()
    db.add_all(ClassModule(class_id=training_class.id, module_id=m, position=i) for i, m in enumerate(modules))
    db.flush()
    audit.record(db=db, actor=who.actor, action="class.create",
                 detail={"class": training_class.code, "unit": unit_code, "modules": modules})
    return training_class, warnings


def _free_code(db: Session) -> str:
    for _ in range(8):
        code = codes.new_code(CODE_LENGTH)
        if db.scalar(select(_class.c.id).where(_class.c.code == code)) is None:
            return code
    raise RuntimeError("no free class code after 8 draws")  # pragma: no cover - 2^-30 per draw


def canonical_code(code: str) -> str:
    """The stored form of a typed class code; NotFound('class_mistyped') when the check fails."""
    if not codes.is_well_formed(code or "", CODE_LENGTH):
        raise NotFound("class_mistyped")
    return codes.format_code(codes.normalise(code))


def find(*, db: Session, code: str) -> TrainingClass:
    """The class behind a typed code, open or closed: 'class_mistyped' or 'unknown_class' otherwise."""
    found = db.scalar(select(TrainingClass).where(TrainingClass.code == canonical_code(code)))
    if found is None:
        raise NotFound("unknown_class")
    return found


def find_open(*, db: Session, code: str) -> TrainingClass:
    """The class a learner may join now; a closed class is Expired (410) with its title."""
    found = find(db=db, code=code)
    if found.closed_at is not None:
        raise Expired("class_closed", title=found.title)
    return found


def join(*, db: Session, training_class: TrainingClass, learner_id: int, now: datetime | None = None) -> bool:
    """Add the learner to the class; True if they were not in it yet. Joining twice (a double tap,
    two phones) changes nothing: one row, the first join time."""
    values = {"class_id": training_class.id, "learner_id": learner_id, "joined_at": now or utcnow()}
    insert = pg_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = insert(_member).values(**values).on_conflict_do_nothing().returning(_member.c.learner_id)
    return db.execute(stmt).first() is not None


@dataclass(frozen=True)
class Joining:
    """A class a new learner joins as they register (learners/router.py gets it through app.state)."""

    class_id: int
    code: str

    def join(self, conn: Any, learner_id: int) -> None:
        """In the registration's writer job: the learner is in the class (once)."""
        insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
        conn.execute(insert(_member).values(class_id=self.class_id, learner_id=learner_id, joined_at=utcnow())
                     .on_conflict_do_nothing())


def opener(database: Any, limiter: Any) -> Any:
    """open_class(request, code) -> Joining for the registration API: the class must be open; a
    mistyped or unknown code counts as a guess, like every lookup by code."""
    def open_class(request: Any, code: str) -> Joining:
        with database.reading() as db:
            found = limiter.guard(request, lambda: find_open(db=db, code=code))
            return Joining(found.id, found.code)
    return open_class


def get_for(*, db: Session, who: Principal, code: str) -> TrainingClass:
    """A class the organiser may see (its unit is one of theirs); 403 otherwise, 404 when unknown."""
    found = find(db=db, code=code)
    visible = _visible(db, who)
    if visible is not None and found.unit_code not in visible:
        raise Forbidden("out_of_scope", unit_code=found.unit_code)
    return found


def set_closed(*, db: Session, who: Principal, code: str, closed: bool) -> TrainingClass:
    """Close a class to new members (or open it again)."""
    found = get_for(db=db, who=who, code=code)
    found.closed_at = utcnow() if closed else None
    db.flush()
    audit.record(db=db, actor=who.actor, action="class.close" if closed else "class.reopen",
                 detail={"class": found.code})
    return found


def record_sheet(*, db: Session, who: Principal, progress: Progress, fmt: str) -> None:
    """The attendance sheet names people: every copy made is in the audit log, like any export."""
    audit.record(db=db, actor=who.actor, action="class.sheet",
                 detail={"class": progress.training_class.code, "format": fmt}, row_count=len(progress.listed))


def module_ids(*, db: Session, class_id: int) -> list[str]:
    return list(db.scalars(select(_module.c.module_id).where(_module.c.class_id == class_id)
                           .order_by(_module.c.position)))


@dataclass(frozen=True)
class ClassRow:
    """A class in a list: what it is and how many joined."""

    training_class: TrainingClass
    unit_name: str
    members: int


def list_for(*, db: Session, who: Principal, year: int | None = None) -> list[ClassRow]:
    """The classes of the organiser's units, newest first (optionally one local calendar year)."""
    return held(db=db, unit_codes=_visible(db, who), year=year)


def held(*, db: Session, unit_codes: Any, year: int | None = None) -> list[ClassRow]:
    """The classes of these units (None: every unit), newest first (optionally one local calendar year)."""
    members = (select(_member.c.class_id, func.count().label("n")).group_by(_member.c.class_id)
               .subquery("members"))
    stmt = (select(TrainingClass, _unit.c.name, func.coalesce(members.c.n, 0))
            .join(_unit, _unit.c.code == TrainingClass.unit_code)
            .outerjoin(members, members.c.class_id == TrainingClass.id)
            .order_by(TrainingClass.starts_at.desc(), TrainingClass.id.desc()))
    if unit_codes is not None:
        stmt = stmt.where(TrainingClass.unit_code.in_(sorted(unit_codes)))
    if year is not None:
        stmt = stmt.where(TrainingClass.starts_at >= from_local(datetime(year, 1, 1)),
                          TrainingClass.starts_at < from_local(datetime(year + 1, 1, 1)))
    return [ClassRow(c, name, int(n)) for c, name, n in db.execute(stmt)]


# --- progress: on the day and after ----------------------------------------------------------------

@dataclass
class ModuleResult:
    started: bool = False
    submitted: bool = False
    passed: bool = False
    best_score: float | None = None
    certificate_code: str | None = None


@dataclass
class Member:
    learner_id: int
    full_name: str | None  # None: the learner erased their data (never listed by name)
    unit_code: str
    unit_name: str
    group: str
    joined_at: datetime
    results: dict[str, ModuleResult] = field(default_factory=dict)

    @property
    def erased(self) -> bool:
        return self.full_name is None

    def passed_modules(self) -> list[str]:
        return [m for m, r in self.results.items() if r.passed]


@dataclass
class ModuleCounts:
    module_id: str
    joined: int
    started: int
    submitted: int
    passed: int


@dataclass
class Progress:
    training_class: TrainingClass
    unit_name: str
    modules: list[str]
    members: list[Member]  # everyone who joined, erased learners included (without a name)
    counts: list[ModuleCounts]

    @property
    def listed(self) -> list[Member]:
        """The members a sheet lists by name: everyone but those who erased their data."""
        return [m for m in self.members if not m.erased]

    @property
    def erased_count(self) -> int:
        return sum(1 for m in self.members if m.erased)


def progress(*, db: Session, training_class: TrainingClass) -> Progress:
    """Who joined, started, submitted and passed each of the class's modules, with best scores and
    certificate codes: three grouped queries, whatever the class size."""
    modules = module_ids(db=db, class_id=training_class.id)
    unit_name = db.scalar(select(_unit.c.name).where(_unit.c.code == training_class.unit_code)) or ""
    rows = db.execute(
        select(_member.c.learner_id, _member.c.joined_at, _learner.c.full_name, _learner.c.erased_at,
               _learner.c.unit_code, _unit.c.name, _learner.c.group)
        .select_from(_member.join(_learner, _learner.c.id == _member.c.learner_id)
                     .join(_unit, _unit.c.code == _learner.c.unit_code))
        .where(_member.c.class_id == training_class.id)
        .order_by(_member.c.joined_at, _member.c.learner_id))
    members = {r.learner_id: Member(r.learner_id, None if r.erased_at is not None else r.full_name, r.unit_code,
                                    r.name, r.group, r.joined_at, {m: ModuleResult() for m in modules})
               for r in rows}
    in_class = select(_member.c.learner_id).where(_member.c.class_id == training_class.id)
    if members and modules:
        for r in db.execute(
            select(_attempt.c.learner_id, _attempt.c.module_id,
                   func.count(_attempt.c.submitted_at).label("submitted"),
                   func.max(case((_attempt.c.passed.is_(True), 1), else_=0)).label("passed"),
                   func.max(_attempt.c.score).label("best"))
            .where(_attempt.c.learner_id.in_(in_class), _attempt.c.module_id.in_(modules))
            .group_by(_attempt.c.learner_id, _attempt.c.module_id)):
            result = members[r.learner_id].results[r.module_id]
            result.started = True
            result.submitted = int(r.submitted) > 0
            result.passed = bool(r.passed)
            result.best_score = round(float(r.best), 4) if r.best is not None else None
        for learner_id, module_id, code in db.execute(
            select(_cert.c.learner_id, _cert.c.subject, _cert.c.code)
            .where(_cert.c.learner_id.in_(in_class), _cert.c.kind == "module", _cert.c.subject.in_(modules),
                   _cert.c.revoked_at.is_(None))):
            members[learner_id].results[module_id].certificate_code = code
    everyone = list(members.values())
    counts = [ModuleCounts(m, len(everyone), sum(x.results[m].started for x in everyone),
                           sum(x.results[m].submitted for x in everyone),
                           sum(x.results[m].passed for x in everyone)) for m in modules]
    return Progress(training_class, unit_name, modules, everyone, counts)


# --- what other domains read -----------------------------------------------------------------------

def memberships(*, db: Session, learner_id: int) -> list[dict[str, Any]]:
    """The classes a learner joined (their own data): code, title, time, place, when they joined."""
    rows = db.execute(
        select(_class.c.code, _class.c.title, _class.c.starts_at, _class.c.place, _member.c.joined_at)
        .select_from(_member.join(_class, _class.c.id == _member.c.class_id))
        .where(_member.c.learner_id == learner_id).order_by(_member.c.joined_at))
    return [{"code": r.code, "title": r.title, "starts_at": r.starts_at, "place": r.place,
             "joined_at": r.joined_at} for r in rows]


def members_query(class_id: int) -> Any:
    """SELECT learner_id of a class's members (for the reports' class filter)."""
    return select(_member.c.learner_id).where(_member.c.class_id == class_id)


@dataclass(frozen=True)
class YearFigures:
    classes: int
    members: int  # joins: a learner in two classes counts twice
    passed_any: int  # members who passed at least one of their class's modules


def year_figures(*, db: Session, unit_codes: Any, year: int) -> YearFigures:
    """Classes held in a (local) calendar year by the given units (None: every unit), for the dashboard."""
    start, end = from_local(datetime(year, 1, 1)), from_local(datetime(year + 1, 1, 1))
    in_year = [_class.c.starts_at >= start, _class.c.starts_at < end]
    if unit_codes is not None:
        in_year.append(_class.c.unit_code.in_(sorted(unit_codes)))
    classes = db.scalar(select(func.count()).select_from(_class).where(*in_year)) or 0
    joins = db.execute(
        select(func.count(), func.count(_member.c.learner_id.distinct()))
        .select_from(_member.join(_class, _class.c.id == _member.c.class_id)).where(*in_year)).one()
    passed = (
        select(_member.c.class_id, _member.c.learner_id)
        .select_from(_member.join(_class, _class.c.id == _member.c.class_id)
                     .join(_module, _module.c.class_id == _class.c.id)
                     .join(_attempt, and_(_attempt.c.learner_id == _member.c.learner_id,
                                          _attempt.c.module_id == _module.c.module_id)))
        .where(*in_year, _attempt.c.passed.is_(True))
        .distinct().subquery("passed_members"))
    passed_any = db.scalar(select(func.count()).select_from(passed)) or 0
    return YearFigures(int(classes), int(joins[0]), int(passed_any))


def local_start(training_class: TrainingClass) -> datetime:
    return to_local(training_class.starts_at)
