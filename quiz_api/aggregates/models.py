"""Running totals for the reports, so a province-wide figure reads thousands of rows, not millions.

Every column is a sum over learners of something that depends only on that learner's own rows
(their unit and group, their submitted attempts, their certificates). A change to one learner is
therefore the difference of two small sums (service.py), and a figure for any set of units,
groups, modules and months is a SUM over these rows. A distinct-learner count becomes a sum by
counting each learner once, on the month of their first attempt (or first pass): `learners` of a
row is how many learners had their first attempt of that year at that module in that month, so
the learners of a year are the sum over its twelve months and the learners of a province the sum
over its units.

Months are the province's local calendar months (zone.py), written YYYYMM. The grain is a month,
not a day: every report asks for months or years, and at a realistic year (112 units, three
groups, four modules) a day grain is 490,000 rows a province-wide year would read, a month grain
16,000.
"""

from __future__ import annotations

from sqlalchemy import Float, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from quiz_api.db import Base


class ReportMonth(Base):
    """Per unit, group, module and local month: attempts, passes and first-time learners."""

    __tablename__ = "report_month"
    # A year's figures read a range of months (the primary key's order); annual targets read a
    # unit's months cumulatively (the index). Submissions only add to existing rows (an UPDATE of
    # columns no index holds), so the index costs a write only when a key's month first appears.
    # SQLite: WITHOUT ROWID, the rows stored in key order (no rowid lookup behind the key).
    __table_args__ = (Index("ix_report_month_key", "unit_code", "group", "module_id", "month"),
                      {"sqlite_with_rowid": False})

    month: Mapped[int] = mapped_column(Integer, primary_key=True)  # local calendar month, YYYYMM
    unit_code: Mapped[str] = mapped_column(String(64), primary_key=True)  # the learner's unit (now)
    group: Mapped[str] = mapped_column(String(20), primary_key=True)
    module_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # submitted attempts
    passed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    score_sum: Mapped[float] = mapped_column(Float, default=0.0)  # Σ score, for the mean
    # Learners counted once per year: first attempt (first pass) at this module in the month's year.
    learners: Mapped[int] = mapped_column(Integer, default=0)
    passers: Mapped[int] = mapped_column(Integer, default=0)
    # Counted once ever: first attempt (first pass) at this module. passers_ever are the "first passes".
    learners_ever: Mapped[int] = mapped_column(Integer, default=0)
    passers_ever: Mapped[int] = mapped_column(Integer, default=0)
    # Across modules: first attempt (first pass) at any module in the year, or ever, counted on the
    # module of that attempt (the earliest; on a tie, the first module id).
    any_learners: Mapped[int] = mapped_column(Integer, default=0)
    any_passers: Mapped[int] = mapped_column(Integer, default=0)
    any_learners_ever: Mapped[int] = mapped_column(Integer, default=0)
    any_passers_ever: Mapped[int] = mapped_column(Integer, default=0)
    certificates: Mapped[int] = mapped_column(Integer, default=0)  # module certificates issued, not revoked


class ReportQuestion(Base):
    """Per local year, unit, group and question: the sums the item statistics need (first attempts).

    x is 1 when the answer was right; y is the share right of the attempt's other questions
    (reports/stats.py turns the sums into the facility and discrimination indices).
    """

    __tablename__ = "report_question"
    # In the order the report sums them (year, then question): a year is one ordered range, no
    # sort. Measured on 113,000 rows: 69 ms against 325 ms keyed by unit first, with a rowid. The
    # index finds the province-wide rows (unit and group '*', service.with_province_rows) and a
    # unit's rows without reading the year's range.
    __table_args__ = (Index("ix_report_question_unit", "unit_code", "group", "year"), {"sqlite_with_rowid": False})

    year: Mapped[int] = mapped_column(Integer, primary_key=True)  # local calendar year
    module_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    question_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    group: Mapped[str] = mapped_column(String(20), primary_key=True)
    unit_code: Mapped[str] = mapped_column(String(64), primary_key=True)
    responses: Mapped[int] = mapped_column(Integer, default=0)  # n
    correct: Mapped[int] = mapped_column(Integer, default=0)  # Σx
    rest_sum: Mapped[float] = mapped_column(Float, default=0.0)  # Σy
    rest_product: Mapped[float] = mapped_column(Float, default=0.0)  # Σxy
    rest_square: Mapped[float] = mapped_column(Float, default=0.0)  # Σy²


class ReportPick(Base):
    """Per local year, module, question, choice, group and unit: how often the choice was picked on
    first attempts (the question report's unused distractors)."""

    __tablename__ = "report_pick"
    __table_args__ = (Index("ix_report_pick_unit", "unit_code", "group", "year"), {"sqlite_with_rowid": False})

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    module_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    question_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    choice_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    group: Mapped[str] = mapped_column(String(20), primary_key=True)
    unit_code: Mapped[str] = mapped_column(String(64), primary_key=True)
    picks: Mapped[int] = mapped_column(Integer, default=0)


class ReportQuestionPending(Base):
    """First attempts submitted but not yet counted in report_question and report_pick (service.fold)."""

    __tablename__ = "report_question_pending"

    attempt_id: Mapped[str] = mapped_column(String(32), primary_key=True)
