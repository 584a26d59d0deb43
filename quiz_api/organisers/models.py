from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from quiz_api.db import Base


class Organiser(Base):
    """A person who reads reports: a province admin, or the organiser of some units."""

    __tablename__ = "organiser"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))  # argon2id
    role: Mapped[str] = mapped_column(String(10))  # "admin" | "unit"
    created_at: Mapped[datetime] = mapped_column(DateTime)
    disabled_at: Mapped[datetime | None] = mapped_column(DateTime)


class OrganiserUnit(Base):
    """A unit (and so every unit below it) that a unit organiser may see."""

    __tablename__ = "organiser_unit"

    organiser_id: Mapped[int] = mapped_column(ForeignKey("organiser.id", ondelete="CASCADE"), primary_key=True)
    unit_code: Mapped[str] = mapped_column(ForeignKey("unit.code"), primary_key=True)
