"""Property: whatever happens, in any order, every aggregate equals a from-scratch GROUP BY over the
raw tables (rebuild.check), and the reports read from them give the figures the raw queries give.

Bounded: about 40 s per database on the shared machine (50 and 15 hypothesis examples of up to
25 changes each).
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from quiz_api.aggregates import rebuild
from quiz_api.aggregates import service as aggregates
from quiz_api.attempts import service as attempts_service
from quiz_api.reports import service
from quiz_api.reports.filters import Filters, Scope
from quiz_api.units import service as units
from tests.aggregates.world import GROUPS, MODULES, UNIT_CODES, World, changes, two_banks
from tests.conftest import clear_data

BOUNDED = {"deadline": None, "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                                       HealthCheck.data_too_large]}


@pytest.fixture(scope="module")
def banks(tmp_path_factory):
    return two_banks(tmp_path_factory.mktemp("banks"))


@pytest.fixture
def world(app, banks, monkeypatch):
    world = World(app.state.database, banks)
    monkeypatch.setattr(attempts_service, "utcnow", world.now)  # submissions read the test's clock
    yield world
    aggregates.use_zone("Asia/Ho_Chi_Minh")


def differences(world: World) -> list:
    with world.database.engine.connect() as conn, conn.begin():
        return rebuild.check(conn)


# A story starts with a few learners registered, so most changes have someone to act on, and
# sometimes with demo data (seeding is refused once a real learner exists).
people = st.tuples(
    st.one_of(st.just([]), st.just([]), st.just([]), st.tuples(st.just("demo"), st.integers(1, 6)).map(lambda d: [d])),
    st.lists(st.tuples(st.just("register"), st.sampled_from(GROUPS), st.sampled_from(UNIT_CODES)),
             min_size=1, max_size=4),
).map(lambda t: t[0] + t[1])


# Always tried, besides what hypothesis draws: a learner back after the local new year, at the same
# module (counted again in the new year, not again ever) and at another; a retake with a pass; a
# unit correction; a revoked certificate; two tabs submitting in one batch.
ACROSS_THE_YEAR = [
    ("register", "citizen", "TN-P-long-an"), ("register", "business", "TN-S-so-y-te"),
    ("submit", (0, "mau-thu", 5, False), timedelta(0)), ("submit", (1, "mau-thu", 1, False), timedelta(minutes=5)),
    ("submit", (0, "mau-thu", 2, False), timedelta(days=3)), ("submit", (0, "mau-hai", 5, False), timedelta(minutes=5)),
    ("submit", (1, "mau-thu", 5, False), timedelta(minutes=5)), ("correct", 0, "TN-S-so-y-te"), ("revoke", 0),
    ("burst", [(1, "mau-hai", 5, False), (1, "mau-hai", 1, False)]), ("fold",), ("correct", 1, "TN"),
    ("submit", (0, "mau-thu", 3, False), timedelta(minutes=5)),
]


@settings(max_examples=50, **BOUNDED)
@example(story=ACROSS_THE_YEAR)
@given(story=st.tuples(people, st.lists(changes, min_size=1, max_size=25)).map(lambda t: t[0] + t[1]))
def test_every_aggregate_equals_a_count_from_scratch_after_any_changes(world, story):
    aggregates.use_zone("Asia/Ho_Chi_Minh")
    world.reset(clear_data)
    for change in story:
        world.apply(change)
        found = differences(world)
        assert not found, f"after {world.done[-1]} (of {world.done}):\n" + "\n".join(map(str, found[:20]))
    world.apply(("fold",))
    with world.database.engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM report_question_pending")) == 0
    assert differences(world) == [], f"after the last fold of {world.done}"


def _scopes(world: World) -> list[Scope]:
    with world.database.reading() as db:
        below_tn = units.descendants(db=db, codes=["TN-S-so-y-te"])
    out = []
    for year in (None, 2026, 2027):
        for suppress in (False, True):
            out.append(Scope(None, suppress, "t", Filters(year=year)))
        out.append(Scope(frozenset(below_tn), True, "t", Filters(year=year)))
        out.append(Scope(frozenset({"TN-P-long-an", "TN"}), False, "t", Filters(year=year, group=GROUPS[0])))
        out.append(Scope(None, True, "t", Filters(year=year, group=GROUPS[2])))
        for module_id in MODULES:
            out.append(Scope(None, False, "t", Filters(year=year, module=module_id)))
    return out


def _close(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    return a == b


def _raw(conn, read, *args):
    """What a reader gives from the raw rows (the path a class filter takes)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(service, "from_aggregates", lambda scope: False)
        return read(conn, *args)


def _per_choice(rows) -> dict:
    """Picks per (module, question, choice): an answer "a,c" picks a and c."""
    out: dict = {}
    for module_id, question_id, chosen, n in rows:
        for choice in (chosen or "").split(","):
            if choice:
                out[module_id, question_id, choice] = out.get((module_id, question_id, choice), 0) + int(n)
    return out


def _query(build):
    return lambda conn, *args: conn.execute(build(*args)).all()


# A year's targets with first passes the year before, in it and the year after: the annual figures
# count passes up to the end of their year (trained) and within it (trained in the year), never after.
TARGETS_ACROSS_YEARS = [
    ("targets", 2026, "TN", "citizen", "mau-thu", 10), ("targets", 2026, "TN-P-long-an", "citizen", "mau-thu", 4),
    ("targets", 2027, "TN-P-long-an", "citizen", "mau-thu", 4),
    ("register", "citizen", "TN-P-long-an"), ("register", "citizen", "TN-P-long-an"),
    ("register", "citizen", "TN-S-so-y-te"),
    ("submit", (2, "mau-thu", 5, False), -timedelta(days=400)), ("submit", (0, "mau-thu", 5, False), timedelta(days=400)),
    ("clock", "edge"), ("submit", (1, "mau-thu", 5, False), timedelta(microseconds=1)),
    ("submit", (2, "mau-hai", 5, False), timedelta(days=2)),
]


@settings(max_examples=15, **BOUNDED)
@example(story=ACROSS_THE_YEAR)
@example(story=TARGETS_ACROSS_YEARS)
@given(story=st.tuples(people, st.lists(changes, min_size=1, max_size=20)).map(lambda t: t[0] + t[1]))
def test_the_reports_give_the_figures_the_raw_queries_give(world, story):
    """Every reader, over the aggregates and over the raw rows, in the province's zone: the same
    figures, small cells hidden the same way."""
    world.reset(clear_data)
    for change in story:
        world.apply(change)
    threshold = 2
    with world.database.engine.connect() as conn:
        for scope in _scopes(world):
            assert service.from_aggregates(scope)
            context = f"{scope} after {world.done}"
            new = service.summary_rows(conn, scope, threshold)
            old = _raw(conn, service.summary_rows, scope, threshold)
            # the mean score is a sum of floats added in another order: equal to its 4 decimals, but a
            # mean exactly on a rounding edge could come out one unit apart
            assert [r[:8] for r in new] == [r[:8] for r in old], context
            for a, b in zip(new, old, strict=True):
                assert a[8] == b[8] or abs(a[8] - b[8]) <= 1.5e-4, context
            assert service.totals(conn, scope, threshold) == _raw(conn, service.totals, scope, threshold), context
            assert service.module_rates(conn, scope, threshold) == _raw(conn, service.module_rates, scope,
                                                                        threshold), context
            for year in (2026, 2027):
                assert service.monthly(conn, scope, threshold, year) == _raw(conn, service.monthly, scope,
                                                                             threshold, year), context
                assert conn.execute(service.annual_query(scope, year)).all() == \
                    _raw(conn, _query(service.annual_query), scope, year), context
            new_q = conn.execute(service.question_sums_query(scope)).all()
            old_q = _raw(conn, _query(service.question_sums_query), scope)
            assert [tuple(r[:2]) + (int(r[2]), int(r[3])) for r in new_q] == \
                [tuple(r[:2]) + (int(r[2]), int(r[3])) for r in old_q], context
            for a, b in zip(new_q, old_q, strict=True):
                assert all(_close(float(x or 0), float(y or 0)) for x, y in zip(a[4:], b[4:], strict=True)), context
            assert _per_choice(conn.execute(service.question_picks_query(scope)).all()) == \
                _per_choice(_raw(conn, _query(service.question_picks_query), scope)), context
        conn.rollback()


def test_a_submission_on_the_local_new_years_edge_counts_in_the_old_year(world):
    """16:59:59.999999 UTC on 31 December is 23:59:59.999999 in Tây Ninh: December; a microsecond
    later it is January. (SQLite's date functions round to the millisecond: the SQL must not.)"""
    aggregates.use_zone("Asia/Ho_Chi_Minh")
    world.reset(clear_data)
    world.apply(("register", "citizen", "TN-P-long-an"))
    world.apply(("clock", "edge"))
    world.apply(("submit", (0, "mau-thu", 5, False), datetime.min - datetime.min))
    world.apply(("submit", (0, "mau-hai", 5, False), datetime(2, 1, 1, 0, 0, 0, 1) - datetime(2, 1, 1)))
    with world.database.engine.connect() as conn:
        months = {key[0]: row for key, row in rebuild.stored(conn).months.items()}
        assert set(months) == {202612, 202701}
        assert months[202612][aggregates.ANY_LEARNERS] == 1 and months[202701][aggregates.ANY_LEARNERS] == 1
        assert months[202701][aggregates.ANY_LEARNERS_EVER] == 0
    assert differences(world) == []
