"""The audit log: who exported or changed what, when, with which filters, and how many rows.

Shared by every domain that acts on people's data (certificates, learners, organisers, reports),
so it belongs to none of them."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Integer, String, Text, insert, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from quiz_api.db import Base, Database, utcnow


class AuditLog(Base):
    """Who exported or changed what, when, with which filter, and how many rows."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, index=True)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    detail: Mapped[str] = mapped_column(Text, default="{}")  # JSON: filters, format
    row_count: Mapped[int | None] = mapped_column(Integer)


_audit = AuditLog.__table__


def record(*, db: Session, actor: str, action: str, detail: dict[str, Any], row_count: int | None = None) -> int:
    """Add one audit row inside the caller's transaction; returns its id."""
    result = db.execute(insert(_audit).values(
        at=utcnow(), actor=actor[:64], action=action[:64],
        detail=json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str), row_count=row_count,
    ).returning(_audit.c.id))
    return int(result.scalar_one())


def start_export(*, database: Database, actor: str, kind: str, detail: dict[str, Any]) -> int:
    """Log an export before its first byte leaves (committed at once), so even an aborted one is on record."""
    with database.writing() as db:
        return record(db=db, actor=actor, action=f"export.{kind}", detail=detail)


def finish_export(*, database: Database, audit_id: int, row_count: int, complete: bool = True) -> None:
    """Write the number of rows actually sent (and whether the download was cut short)."""
    with database.writing() as db:
        values: dict[str, Any] = {"row_count": row_count}
        if not complete:
            row = db.get(AuditLog, audit_id)
            if row is not None:
                values["detail"] = json.dumps({**json.loads(row.detail), "incomplete": True},
                                              ensure_ascii=False, sort_keys=True)
        db.execute(update(_audit).where(_audit.c.id == audit_id).values(**values))
