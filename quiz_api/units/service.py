"""The unit tree: import from CSV (all or nothing), list, and find units below a unit."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from quiz_api.csvfiles import CsvFileError, RowError, read_rows
from quiz_api.profile import load_profile
from quiz_api.units.models import Unit

COLUMNS = ("code", "name", "kind", "parent_code")


def import_csv(*, db: Session, data: bytes, kinds: Collection[str] = ()) -> dict[str, int]:
    """Insert or update units from CSV bytes; raise CsvFileError (changing nothing) on any bad row.
    `kinds`: the kinds the province profile allows (empty: any)."""
    rows = read_rows(data, COLUMNS)
    errors: list[RowError] = []
    existing = {u.code: u for u in db.scalars(select(Unit))}
    seen: dict[str, int] = {}
    parents: dict[str, str | None] = {code: u.parent_code for code, u in existing.items()}
    for line, row in rows:
        code = row["code"]
        if not code or len(code) > 64:
            errors.append(RowError(line, "code is empty or longer than 64 characters"))
            continue
        if code in seen:
            errors.append(RowError(line, f"code {code} repeats line {seen[code]}"))
            continue
        seen[code] = line
        if not row["name"]:
            errors.append(RowError(line, f"unit {code} has no name"))
        if not row["kind"]:
            errors.append(RowError(line, f"unit {code} has no kind"))
        elif kinds and row["kind"] not in kinds:
            errors.append(RowError(line, f"unit {code} has kind {row['kind']!r}, which the province profile "
                                         f"does not allow (allowed: {', '.join(kinds)})"))
        parents[code] = row["parent_code"] or None
    for line, row in rows:
        parent = row["parent_code"]
        if parent and parent not in parents:
            errors.append(RowError(line, f"parent_code {parent} is neither in the file nor in the database"))
    for code, line in seen.items():
        chain, node = set(), code
        while node is not None and node not in chain:
            chain.add(node)
            node = parents.get(node)
        if node is not None:
            errors.append(RowError(line, f"unit {code} is its own ancestor"))
    if errors:
        raise CsvFileError(errors)
    created = updated = 0
    # Parents first, so foreign keys hold at every insert.
    ordered = sorted(rows, key=lambda r: _depth(r[1]["code"], parents))
    for position, (_line, row) in enumerate(ordered):
        values = {
            "name": row["name"],
            "kind": row["kind"],
            "parent_code": row["parent_code"] or None,
            "former_units": row.get("former_units") or None,
            "position": position,
        }
        unit = existing.get(row["code"])
        if unit is None:
            db.add(Unit(code=row["code"], **values))
            db.flush()
            created += 1
        else:
            for key, value in values.items():
                setattr(unit, key, value)
            updated += 1
    return {"created": created, "updated": updated}


def _depth(code: str, parents: dict[str, str | None]) -> int:
    depth, node = 0, parents.get(code)
    while node is not None:
        depth, node = depth + 1, parents.get(node)
    return depth


def import_default(*, db: Session, profile_dir: Path) -> dict[str, int]:
    return import_csv(db=db, data=(profile_dir / "units.csv").read_bytes(),
                      kinds=load_profile(profile_dir).unit_kinds)


def list_units(*, db: Session) -> list[Unit]:
    return list(db.scalars(select(Unit).order_by(Unit.position, Unit.code)))


def exists(*, db: Session, code: str) -> bool:
    return db.get(Unit, code) is not None


def descendants(*, db: Session, codes: list[str]) -> set[str]:
    """The given units and every unit below them."""
    children: dict[str | None, list[str]] = {}
    for code, parent in db.execute(select(Unit.code, Unit.parent_code)):
        children.setdefault(parent, []).append(code)
    found, stack = set(), [c for c in codes]
    while stack:
        code = stack.pop()
        if code not in found:
            found.add(code)
            stack.extend(children.get(code, []))
    return found
