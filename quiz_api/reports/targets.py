"""Yearly targets per unit, group and module: import from CSV, all or nothing, with line numbers.

Columns: year, unit_code, group, module_id, headcount, target_share. The share is a fraction
(0.5, or 0,5 as Vietnamese Excel writes it) or a percentage (50%). A row for a year, unit, group and
module already present replaces it.
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from quiz_api.csvfiles import CsvFileError, RowError, read_rows
from quiz_api.labels import GROUPS
from quiz_api.reports.models import Target
from quiz_api.units.models import Unit

COLUMNS = ("year", "unit_code", "group", "module_id", "headcount", "target_share")
_MODULE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_NUMBER = re.compile(r"^\d+(?:[.,]\d+)?$")
MAX_HEADCOUNT = 10_000_000


def parse_share(text: str) -> float:
    """'0.5', '0,5', '50%', '50 %', '100%' → a share in [0, 1]; ValueError (with a reason) otherwise."""
    value = (text or "").strip().replace(" ", "")
    percent = value.endswith("%")
    if percent:
        value = value[:-1]
    if not _NUMBER.match(value):
        raise ValueError(f"target_share '{text}' is not a number like 0.8 or 80%")
    number = float(value.replace(",", "."))
    share = number / 100 if percent else number
    if not 0 <= share <= 1:
        hint = "; write a percentage with %, e.g. 80%" if not percent and number <= 100 else ""
        raise ValueError(f"target_share '{text}' must be between 0 and 1 (or 0% and 100%){hint}")
    return share


def import_csv(*, db: Session, data: bytes, known_modules: set[str] | None = None) -> dict[str, int]:
    """Insert or replace targets; raise CsvFileError (changing nothing) listing every bad row."""
    rows = read_rows(data, COLUMNS)
    if not rows:
        raise CsvFileError([RowError(2, "the file has a header but no rows")])
    errors: list[RowError] = []
    units = set(db.scalars(select(Unit.code)))
    seen: dict[tuple[int, str, str, str], int] = {}
    clean: list[dict] = []
    for line, row in rows:
        problems = []
        year = row["year"]
        if not year.isdigit() or not 2000 <= int(year) <= 2100:
            problems.append(f"year '{year}' must be a year between 2000 and 2100")
        if row["unit_code"] not in units:
            problems.append(f"unit_code '{row['unit_code']}' is not a known unit (import the unit first)")
        if row["group"] not in GROUPS:
            problems.append(f"group '{row['group']}' must be one of {', '.join(GROUPS)}")
        module = row["module_id"]
        if not _MODULE.match(module):
            problems.append(f"module_id '{module}' is not a module id")
        elif known_modules and module not in known_modules:
            problems.append(f"module_id '{module}' is not one of the modules ({', '.join(sorted(known_modules))})")
        headcount = row["headcount"].replace(" ", "")
        if not headcount.isdigit() or int(headcount) > MAX_HEADCOUNT:
            problems.append(f"headcount '{row['headcount']}' must be a whole number of people")
        try:
            share = parse_share(row["target_share"])
        except ValueError as exc:
            problems.append(str(exc))
            share = 0.0
        if problems:
            errors.extend(RowError(line, p) for p in problems)
            continue
        key = (int(year), row["unit_code"], row["group"], module)
        if key in seen:
            errors.append(RowError(line, f"repeats line {seen[key]} (same year, unit, group and module)"))
            continue
        seen[key] = line
        clean.append({"year": key[0], "unit_code": key[1], "group": key[2], "module_id": key[3],
                      "headcount": int(headcount), "target_share": share})
    if errors:
        raise CsvFileError(errors)
    created = updated = 0
    for values in clean:
        existing = db.get(Target, (values["year"], values["unit_code"], values["group"], values["module_id"]))
        if existing is None:
            db.add(Target(**values))
            created += 1
        else:
            existing.headcount = values["headcount"]
            existing.target_share = values["target_share"]
            updated += 1
    db.flush()
    return {"created": created, "updated": updated}


def list_years(*, db: Session) -> list[tuple[int, int]]:
    """(year, number of targets) for every year with targets."""
    from sqlalchemy import func

    return [(int(y), int(n)) for y, n in db.execute(
        select(Target.year, func.count()).group_by(Target.year).order_by(Target.year))]
