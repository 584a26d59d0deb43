from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from quiz_api.db import Base


class Attempt(Base):
    """One sitting of a module quiz: the stored draw, then (once) the graded result."""

    __tablename__ = "attempt"
    __table_args__ = (
        Index("ix_attempt_learner_module", "learner_id", "module_id"),
        Index("ix_attempt_module_submitted", "module_id", "submitted_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learner.id"))
    module_id: Mapped[str] = mapped_column(String(64))
    attempt_no: Mapped[int] = mapped_column(Integer)  # 1 = the learner's first try at this module
    lang: Mapped[str] = mapped_column(String(2))
    draw: Mapped[str] = mapped_column(Text)  # JSON [[question_id, [choice_id, ...]], ...]
    question_count: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    correct_count: Mapped[int | None] = mapped_column(Integer)
    score: Mapped[float | None] = mapped_column(Float)
    passed: Mapped[bool | None] = mapped_column(Boolean)


class AttemptAnswer(Base):
    """What the learner chose for one drawn question, and whether it was right."""

    __tablename__ = "attempt_answer"
    # No index on question_id: no query looks answers up by question, and keeping one cost about
    # 70 µs per submission (migration 5e1f0a7c2b93).

    attempt_id: Mapped[str] = mapped_column(ForeignKey("attempt.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    question_id: Mapped[str] = mapped_column(String(64))
    chosen: Mapped[str] = mapped_column(String(64))  # comma-separated choice ids, "" if unanswered
    correct: Mapped[bool] = mapped_column(Boolean)
