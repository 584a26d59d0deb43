from __future__ import annotations

from sqlalchemy import Float, ForeignKey, Integer, String, Text
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


class AppMeta(Base):
    """Small facts about this database (e.g. that it holds demo data)."""

    __tablename__ = "app_meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
