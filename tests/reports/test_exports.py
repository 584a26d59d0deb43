"""The export path at a year's size: the database writes CSV lines exactly as Python would, an export
reads on one connection, and the row count it announces is the number of rows it sends."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import String, cast, event, literal, null, select

from quiz_api.reports import exporting, formats, service
from quiz_api.reports.filters import Filters, Scope
from tests.organisers.helpers import bearer, make_organiser
from tests.reports import data

AWKWARD = ["", "An", "Trần Thị Bé", "=1+2", "+84 912", "-5", "@SUM(A1)", "\tTab", "\rCR", "a,b", 'say "hi"',
           "line\nbreak", "crlf\r\nend", "'quoted", " =space first", "=a,\"b\"\nc", "Ánh, \"Bé\"", "ok\u00a0nbsp"]


@pytest.mark.parametrize("value", [*AWKWARD, None])
def test_the_database_writes_a_text_cell_as_csv_field_does(database, value):
    query = select(cast(null() if value is None else literal(value, String), String).label("x"),
                   literal(3).label("n"))
    columns = [formats.Column("attempts", "unit_code"), formats.Column("attempts", "attempt_no", "int")]
    with database.engine.connect() as conn:
        line = conn.execute(service.csv_line_query(query, columns, conn.dialect.name)).scalar_one()
    assert line == formats.csv_field(value) + ",3"
    assert next(csv.reader(io.StringIO(line, newline=""))) == [formats.neutralise(value or ""), "3"]


def test_postgresql_copy_writes_every_text_cell_as_csv_field_does(database):
    if database.engine.dialect.name != "postgresql":
        pytest.skip("COPY is PostgreSQL's")
    columns = [formats.Column("attempts", "unit_code"), formats.Column("attempts", "attempt_no", "int"),
               formats.Column("completions", "passed", "bool")]
    for value in [*AWKWARD, None, "back\\slash\\n"]:
        cell = cast(null() if value is None else literal(value, String), String)
        query = select(cell.label("x"), literal(3).label("n"), literal(value is None).label("b"))
        with database.engine.connect() as conn:
            chunks = list(service.copied_csv(conn, service.csv_copy_query(query, columns)))
        flag = "TRUE" if value is None else "FALSE"
        assert chunks == [(1, f"{formats.csv_field(value)},3,{flag}\r\n".encode())], value


def _learners_with_attempts(database, count: int) -> None:
    with database.writing() as db:
        for i in range(count):
            lid = data.learner(db, name=f"=Học viên, {i}")
            data.attempt(db, lid, correct=8 if i % 2 else 3)
            data.attempt(db, lid, no=2, correct=9, submitted=i % 3 == 0)


@pytest.mark.parametrize("kind", ["completions", "attempts"])
def test_a_csv_export_announces_the_rows_it_sends_when_counting_is_cheap(client, database, kind):
    make_organiser(database, "admin1", admin=True)
    _learners_with_attempts(database, 7)
    response = client.get(f"/api/v1/reports/{kind}?format=csv", headers=bearer(client, "admin1"))
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))[1:]
    assert len(rows) == {"completions": 7, "attempts": 10}[kind]  # 7 first attempts, 3 of 7 second ones submitted
    if kind == "completions" and database.engine.dialect.name == "postgresql":
        assert "X-Row-Count" not in response.headers  # it would cost a second grouping of the year
    else:
        assert int(response.headers["X-Row-Count"]) == len(rows)


@pytest.mark.parametrize(("kind", "fmt"), [("completions", "csv"), ("attempts", "csv"), ("attempts", "jsonl"),
                                           ("summary", "csv")])
def test_an_export_reads_on_one_connection_and_writes_its_audit_row_twice(app, database, kind, fmt):
    """Scope, count and rows on one read connection; the audit row written before the first byte and
    at the end. Before: six connections (two to resolve the scope, one to count, one to stream, two writes)."""
    _learners_with_attempts(database, 5)
    checkouts: list[bool] = []
    resolved: list[int] = []

    def scope(db) -> Scope:
        resolved.append(1)
        return Scope(None, False, "t", Filters())

    def checked_out(dbapi_conn, record, proxy) -> None:
        checkouts.append(True)

    event.listen(database.engine, "checkout", checked_out)
    try:
        export = exporting.prepare(database=database, banks=app.state.banks, settings=app.state.settings, kind=kind,
                                   fmt=fmt, scope=scope, lang="vi", actor="test")
        assert len(checkouts) == 2  # the export's connection, and the audit row's first write
        body = b"".join(export.chunks)
    finally:
        event.remove(database.engine, "checkout", checked_out)
    assert resolved == [1] and body
    assert len(checkouts) == 3  # and the audit row's row count, at the end


def test_an_export_the_client_never_reads_gives_its_connection_back(app, database):
    _learners_with_attempts(database, 3)
    pool = database.engine.pool
    before = pool.checkedout()
    export = exporting.prepare(database=database, banks=app.state.banks, settings=app.state.settings,
                               kind="attempts", fmt="csv", scope=Scope(None, False, "t", Filters()), lang="vi",
                               actor="test")
    assert pool.checkedout() == before + 1
    export.chunks.close()  # what the server does with a body it drops (the download was cancelled)
    assert pool.checkedout() == before


def test_on_sqlite_an_export_sorts_on_disk_and_gives_the_connection_back_as_configured(app, database):
    if database.engine.dialect.name != "sqlite":
        pytest.skip("a SQLite setting")
    _learners_with_attempts(database, 3)
    seen: list = []

    def checked_out(dbapi_conn, record, proxy) -> None:
        seen.append(dbapi_conn)

    event.listen(database.engine, "checkout", checked_out)
    try:
        export = exporting.prepare(database=database, banks=app.state.banks, settings=app.state.settings,
                                   kind="completions", fmt="csv", scope=Scope(None, False, "t", Filters()),
                                   lang="vi", actor="test")
    finally:
        event.remove(database.engine, "checkout", checked_out)
    reading = seen[0]
    assert reading.execute("PRAGMA temp_store").fetchone() == (1,)  # FILE while the export reads
    b"".join(export.chunks)
    assert reading.execute("PRAGMA temp_store").fetchone() == (2,)  # MEMORY again, as db.py sets it
