from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Float, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from quiz_api.db import Base


class Certificate(Base):
    """Proof of a passed module (kind 'module') or a completed learning path (kind 'path')."""

    __tablename__ = "certificate"
    __table_args__ = (UniqueConstraint("learner_id", "kind", "subject", name="uq_certificate_learner_subject"),)

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learner.id"))  # looked up by uq_certificate_learner_subject
    kind: Mapped[str] = mapped_column(String(10))
    subject: Mapped[str] = mapped_column(String(64))  # module id, or group id for a path
    attempt_id: Mapped[str | None] = mapped_column(ForeignKey("attempt.id"))
    score: Mapped[float | None] = mapped_column(Float)
    issued_at: Mapped[datetime] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked_reason: Mapped[str | None] = mapped_column(String(500))
