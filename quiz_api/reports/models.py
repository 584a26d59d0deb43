from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from quiz_api.db import Base


class Target(Base):
    """A yearly training target: of `headcount` people in a unit and group, `target_share` pass a module."""

    __tablename__ = "target"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_code: Mapped[str] = mapped_column(ForeignKey("unit.code"), primary_key=True)
    group: Mapped[str] = mapped_column(String(20), primary_key=True)
    module_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    headcount: Mapped[int] = mapped_column(Integer)
    target_share: Mapped[float] = mapped_column(Float)


class AuditLog(Base):
    """Who exported or changed what, when, with which filter, and how many rows."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, index=True)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    detail: Mapped[str] = mapped_column(Text, default="{}")  # JSON: filters, format
    row_count: Mapped[int | None] = mapped_column(Integer)


class AppMeta(Base):
    """Small facts about this database (e.g. that it holds demo data)."""

    __tablename__ = "app_meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
