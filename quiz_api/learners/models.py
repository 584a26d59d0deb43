from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from quiz_api.db import Base


class Learner(Base):
    """A trainee. Personal fields are nulled on erasure; group and unit stay for anonymous counts."""

    __tablename__ = "learner"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # SHA-256 of the learner code: the code is a bearer secret, so only its hash is stored.
    code_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    pseudonym: Mapped[str] = mapped_column(String(32), unique=True)  # xAPI actor, never a name
    full_name: Mapped[str | None] = mapped_column(String(120))
    group: Mapped[str] = mapped_column(String(20), index=True)
    unit_code: Mapped[str] = mapped_column(ForeignKey("unit.code"), index=True)
    organisation: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(32))
    consent_version: Mapped[str | None] = mapped_column(String(20))
    consent_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    erased_at: Mapped[datetime | None] = mapped_column(DateTime)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
