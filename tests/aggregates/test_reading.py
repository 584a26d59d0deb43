"""Where the reports read the aggregates and where they must not: a class's figures (the aggregates
count units, groups and modules, not a class's members) and a report in another time zone than the
aggregates count in come from the raw rows; a set-based batch (PostgreSQL) is counted like single
submissions. Every test runs on SQLite and, with KYNANGSO_TEST_DATABASE_URL, on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert

from quiz_api import localtime
from quiz_api.aggregates import rebuild
from quiz_api.attempts import service as attempts
from quiz_api.classes.models import ClassMember, TrainingClass
from quiz_api.reports import service
from quiz_api.reports.filters import Filters, Scope
from tests import writer_calls
from tests.aggregates.world import MODULES, QUIZ, two_banks
from tests.conftest import clear_data
from tests.reports import data

UNIT = "TN-P-long-an"


@pytest.fixture
def database(app):
    clear_data(app.state.database)
    return app.state.database


def _class_of(db, learner_ids: list[int]) -> int:
    now = datetime(2026, 3, 1)
    class_id = db.execute(insert(TrainingClass.__table__).values(
        code="7KQ2-M9X", title="Lớp kỹ năng số", starts_at=now, place="Hội trường", unit_code=UNIT,
        trainer_name="Cô Lan", expected_headcount=30, created_by="t", created_at=now)).inserted_primary_key[0]
    db.execute(insert(ClassMember.__table__), [{"class_id": class_id, "learner_id": i, "joined_at": now}
                                               for i in learner_ids])
    return class_id


def test_a_class_filter_reads_the_members_rows_not_the_units_totals(database):
    with database.writing() as db:
        members = [data.learner(db, unit=UNIT, name=f"Học viên {i}") for i in range(3)]
        others = [data.learner(db, unit=UNIT, name=f"Người khác {i}") for i in range(4)]
        for i, learner_id in enumerate(members + others):
            data.attempt(db, learner_id, correct=5 if i % 2 == 0 else 2, at=datetime(2026, 3, 10, 8, i),
                         answers=[("mau-001", i % 2 == 0), ("mau-002", True)])
        class_id = _class_of(db, members)
    unit_scope = Scope(frozenset({UNIT}), False, "t", Filters(year=2026))
    class_scope = Scope(frozenset({UNIT}), False, "t", Filters(year=2026, class_code="7KQ2-M9X"), class_id=class_id)
    assert service.from_aggregates(unit_scope) and not service.from_aggregates(class_scope)
    with database.engine.connect() as conn:
        whole = service.totals(conn, unit_scope, 5)
        members_only = service.totals(conn, class_scope, 5)
        assert (whole.learners, whole.attempts, whole.passed) == (7, 7, 4)
        assert (members_only.learners, members_only.attempts, members_only.passed) == (3, 3, 2)
        assert [r[1:3] for r in service.module_rates(conn, class_scope, 5)] == [(3, 2)]
        assert service.monthly(conn, class_scope, 5, 2026)[2] == (3, 3, 2)
        assert [(r[4], r[5], r[6]) for r in service.summary_rows(conn, class_scope, 5)] == [(3, 3, 2)]
        sums = {r.question_id: (int(r.n), int(r.sx)) for r in conn.execute(service.question_sums_query(class_scope))}
        assert sums == {"mau-001": (3, 2), "mau-002": (3, 3)}


def test_a_report_in_another_zone_than_the_aggregates_reads_the_raw_rows(database):
    """23:30 UTC on 31 December is 06:30 on 1 January in Vietnam: 2027 by the aggregates, 2026 in UTC."""
    with database.writing() as db:
        data.attempt(db, data.learner(db, unit=UNIT), at=datetime(2026, 12, 31, 23, 30))
    local = Scope(None, False, "t", Filters(year=2027))
    in_utc = Scope(None, False, "t", Filters(year=2026), tz=UTC)
    assert service.from_aggregates(local) and not service.from_aggregates(in_utc)
    assert localtime.fixed_offset(UTC) == timedelta(0)
    with database.engine.connect() as conn:
        assert service.totals(conn, local, 5).attempts == 1
        assert service.totals(conn, in_utc, 5).attempts == 1
        assert service.monthly(conn, local, 5, 2027)[0] == (1, 1, 1)
        assert service.monthly(conn, in_utc, 5, 2026)[11] == (12, 1, 1)


def test_small_cells_are_hidden_the_same_on_the_aggregates(database):
    with database.writing() as db:
        for i in range(2):
            data.attempt(db, data.learner(db, unit=UNIT, name=f"Người {i}"), at=datetime(2026, 3, 10, 8, i))
    scope = Scope(frozenset({UNIT}), True, "t", Filters(year=2026))
    with database.engine.connect() as conn:
        shown = service.totals(conn, scope, 5)
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(service, "from_aggregates", lambda scope: False)
            raw = service.totals(conn, scope, 5)
    assert shown == raw
    assert not isinstance(shown.learners, int)  # 2 learners, under the threshold of 5: hidden


@pytest.fixture(scope="module")
def banks(tmp_path_factory):
    return two_banks(tmp_path_factory.mktemp("banks"))


def test_a_set_based_batch_counts_as_its_submissions_would_alone(database, banks):
    """record_many (PostgreSQL's batches): two attempts of one learner in one batch, at one time, a
    learner with an earlier attempt, a pass and a fail, and a refused submission."""
    if database.is_sqlite:
        pytest.skip("record_many is PostgreSQL's set-based batch")
    with database.writing() as db:
        people = [data.learner(db, unit=UNIT, name=f"Người {i}") for i in range(3)]
        data.attempt(db, people[2], module=MODULES[0], at=datetime(2026, 1, 5))

    def start(learner_id: int, module_id: str) -> dict:
        return writer_calls.run(database, lambda conn: attempts.start(
            conn=conn, banks=banks, settings=QUIZ, learner_id=learner_id, module_id=module_id, lang="vi"))

    started = [start(people[0], MODULES[0]), start(people[0], MODULES[1]), start(people[1], MODULES[0]),
               start(people[2], MODULES[0])]
    jobs = []
    for n, s in enumerate(started):
        bank = banks[s["module_id"]]
        answers = {q["id"]: sorted(bank.questions[q["id"]].correct) if n != 2 else
                   [c["id"] for c in q["choices"] if c["id"] not in bank.questions[q["id"]].correct][:1]
                   for q in s["questions"]}
        jobs.append(attempts.Submission(banks=banks, attempt_id=s["attempt_id"], answers=answers))
    jobs.append(attempts.Submission(banks=banks, attempt_id="no-such-attempt", answers={}))
    outcomes = writer_calls.run(database, lambda conn: attempts.record_many(conn, jobs))
    assert [ok for ok, _ in outcomes] == [True, True, True, True, False]
    with database.engine.connect() as conn, conn.begin():
        assert rebuild.check(conn) == []
        months = rebuild.stored(conn).months
    assert sum(row[0] for row in months.values()) == 5  # attempts: four in the batch, one before
