from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from quiz_api.db import Base


class Unit(Base):
    """An agency, commune or ward a learner belongs to; parent_code builds the tree."""

    __tablename__ = "unit"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("unit.code"), index=True)
    former_units: Mapped[str | None] = mapped_column(Text)  # helps learners who know the old names
    position: Mapped[int] = mapped_column(Integer, default=0)
