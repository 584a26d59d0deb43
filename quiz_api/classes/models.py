from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from quiz_api.db import Base


class TrainingClass(Base):
    """A class held on a day, at a place, by a unit, for some modules; learners join it by its code."""

    __tablename__ = "class"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)  # e.g. "7KQ2-M9X" (Crockford + Damm check)
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(DateTime, index=True)  # naive UTC, entered in Vietnam time
    place: Mapped[str] = mapped_column(String(200))
    unit_code: Mapped[str] = mapped_column(ForeignKey("unit.code"), index=True)
    trainer_name: Mapped[str] = mapped_column(String(120))
    expected_headcount: Mapped[int] = mapped_column(Integer)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)  # no one joins a closed class


class ClassModule(Base):
    """A module taught in a class, in the order the trainer teaches them."""

    __tablename__ = "class_module"

    class_id: Mapped[int] = mapped_column(ForeignKey("class.id", ondelete="CASCADE"), primary_key=True)
    module_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class ClassMember(Base):
    """A learner who joined a class. Kept when the learner erases their data (the learner row is
    anonymised, so the class still counts them), but an erased learner is never listed by name."""

    __tablename__ = "class_member"

    class_id: Mapped[int] = mapped_column(ForeignKey("class.id", ondelete="CASCADE"), primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learner.id"), primary_key=True, index=True)
    joined_at: Mapped[datetime] = mapped_column(DateTime)
