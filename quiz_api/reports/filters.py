"""Report filters (year, module, group, unit) and the organiser's scope, checked in one place.

Every report and the dashboard go through `resolve`: unknown filter names and bad values are a 422,
a unit outside the organiser's units a 403, so no endpoint can be asked for another unit's rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from sqlalchemy.orm import Session

from quiz_api import localtime
from quiz_api.classes import service as classes
from quiz_api.errors import Forbidden, Invalid, NotFound
from quiz_api.labels import GROUPS
from quiz_api.organisers import service as organisers
from quiz_api.organisers.service import Principal
from quiz_api.units import service as units
from quiz_api.units.models import Unit

FILTERS = ("year", "module", "group", "unit")
CLASS = "class"  # a class's join code: its members only (the row reports: completions, attempts)
_MODULE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


@dataclass(frozen=True)
class Filters:
    """What the organiser asked for (all optional; year None means every year)."""

    year: int | None = None
    module: str | None = None
    group: str | None = None
    unit: str | None = None
    class_code: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {k: v for k, v in (("year", self.year), ("module", self.module), ("group", self.group),
                                  ("unit", self.unit), (CLASS, self.class_code)) if v is not None}

    def query(self, **extra: object) -> str:
        """The filters as a query string (for download links that keep them)."""
        from urllib.parse import urlencode

        return urlencode({**self.as_dict(), **{k: v for k, v in extra.items() if v is not None}})


@dataclass(frozen=True)
class Scope:
    """The learners' units a report may read: None = every unit (a province admin, no unit filter).
    Years and months are the province's (tz, from the profile)."""

    unit_codes: frozenset[str] | None
    suppress: bool  # hide small counts in aggregates
    who: str = "?"
    filters: Filters = field(default_factory=Filters)
    tz: tzinfo = field(default_factory=localtime.zone)
    class_id: int | None = None  # only the members of this class

    @property
    def year_bounds(self) -> tuple[datetime, datetime] | None:
        """[start, end) of the filter's local year, as naive UTC like the stored times."""
        if self.filters.year is None:
            return None
        return localtime.local_year_bounds(self.filters.year, self.tz)


def parse(params: Mapping[str, str], *, allowed_extra: tuple[str, ...] = ("format", "lang"),
          known_modules: set[str] | None = None, with_class: bool = False) -> Filters:
    """Filters from query parameters; any other name, or a bad value, is Invalid (422). `class` is
    a filter only where with_class (the row reports)."""
    refuse_unknown(params, with_class=with_class, allowed_extra=allowed_extra)
    return checked(year=params.get("year"), module=params.get("module"), group=params.get("group"),
                   unit=params.get("unit"), class_code=params.get(CLASS) if with_class else None,
                   known_modules=known_modules)


def refuse_unknown(names: Iterable[str], *, with_class: bool, allowed_extra: tuple[str, ...]) -> None:
    """A name that is neither a filter nor one of allowed_extra is Invalid: a typo ("units=") must not
    quietly give every unit's rows."""
    allowed = FILTERS + ((CLASS,) if with_class else ())
    unknown = sorted(set(names) - set(allowed) - set(allowed_extra))
    if unknown:
        raise Invalid("unknown_filter", names=", ".join(unknown)[:200],
                      allowed=", ".join(allowed + allowed_extra))


def checked(*, year: int | str | None = None, module: str | None = None, group: str | None = None,
            unit: str | None = None, class_code: str | None = None,
            known_modules: set[str] | None = None) -> Filters:
    """Filters from values as typed (the API's declared parameters) or as text (a form, the CLI; an
    empty value means "all"); a bad value is Invalid (422)."""
    if isinstance(year, str):
        text = year.strip()
        if text and (not text.isdigit() or not 2000 <= int(text) <= 2100):
            raise Invalid("bad_filter", name="year", reason="2000–2100")
        year = int(text) if text else None
    elif year is not None and not 2000 <= year <= 2100:
        raise Invalid("bad_filter", name="year", reason="2000–2100")
    module = (module or "").strip() or None
    if module is not None and (not _MODULE.match(module) or (known_modules is not None and module not in known_modules)):
        raise Invalid("bad_filter", name="module", reason=", ".join(sorted(known_modules or []))[:300] or "?")
    group = (group or "").strip() or None
    if group is not None and group not in GROUPS:
        raise Invalid("bad_filter", name="group", reason=", ".join(GROUPS))
    unit = (unit or "").strip() or None
    if unit is not None and (len(unit) > 64 or not unit.isprintable()):
        raise Invalid("bad_filter", name="unit", reason="a unit code")
    class_code = (class_code or "").strip()[:40] or None
    return Filters(year, module, group, unit, class_code)


def resolve(*, db: Session, who: Principal, filters: Filters, aggregate_export: bool, tz: tzinfo) -> Scope:
    """The units this request may read. A unit filter outside the organiser's units is Forbidden (403).

    Suppression: aggregates are hidden-small for a unit organiser always, and for anyone when they
    leave the dashboard as a file or API answer (aggregate_export).
    """
    visible = organisers.visible_units(db=db, who=who)
    codes: set[str] | None = visible
    if filters.unit is not None:
        if db.get(Unit, filters.unit) is None:
            raise Invalid("unknown_unit", unit_code=filters.unit)
        if visible is not None and filters.unit not in visible:
            raise Forbidden("out_of_scope", unit_code=filters.unit)
        codes = units.descendants(db=db, codes=[filters.unit])
        if visible is not None:
            codes &= visible
    class_id = None
    if filters.class_code is not None:
        try:
            found = classes.find(db=db, code=filters.class_code)
        except NotFound as exc:
            raise Invalid("bad_filter", name=CLASS, reason=exc.key) from exc
        if visible is not None and found.unit_code not in visible:
            raise Forbidden("out_of_scope", unit_code=found.unit_code)
        class_id = found.id
    suppress = aggregate_export or not who.is_admin
    return Scope(frozenset(codes) if codes is not None else None, suppress, who.actor, filters, tz, class_id)
