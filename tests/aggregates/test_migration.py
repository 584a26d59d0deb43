"""The migration that adds the aggregates fills them from the rows already there, in the province's
zone: an existing database's reports read the same figures after the upgrade as before it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import text

from quiz_api import migrate
from quiz_api.aggregates import rebuild
from quiz_api.db import Database

BEFORE = "3057ed2c8e19"  # the revision before report_aggregates


def test_upgrading_a_database_with_attempts_fills_the_aggregates(tmp_path):
    url = f"sqlite:///{tmp_path}/old.db"
    migrate.upgrade(url, BEFORE)
    database = Database(url)
    with database.engine.begin() as conn:
        conn.execute(text("INSERT INTO unit (code, name, kind, position) VALUES ('TN', 'Tây Ninh', 'tỉnh', 0)"))
        conn.execute(text('INSERT INTO learner (id, pseudonym, "group", unit_code, created_at, last_seen_at, is_demo) '
                          "VALUES (1, 'p1', 'citizen', 'TN', :t, :t, 0)"), {"t": datetime(2026, 12, 1)})
        for n, (at, passed) in enumerate([(datetime(2026, 12, 31, 16, 30), False), (datetime(2026, 12, 31, 17, 30), True)]):
            conn.execute(text("INSERT INTO attempt (id, learner_id, module_id, attempt_no, lang, draw, question_count, "
                              "started_at, expires_at, submitted_at, correct_count, score, passed) VALUES "
                              "(:id, 1, 'mau-thu', :no, 'vi', '[]', 2, :at, :at, :at, 1, 0.5, :passed)"),
                         {"id": f"a{n}", "no": n + 1, "at": at, "passed": passed})
        conn.execute(text("INSERT INTO attempt_answer (attempt_id, position, question_id, chosen, correct) "
                          "VALUES ('a0', 0, 'mau-001', 'b', 1), ('a0', 1, 'mau-002', 'a', 0)"))
    database.dispose()
    migrate.upgrade(url)
    database = Database(url)
    with database.engine.connect() as conn:
        stored = rebuild.stored(conn)
        assert rebuild.check(conn) == []
    database.dispose()
    # 23:30 and 00:30 in Tây Ninh: one attempt in December 2026, the passed retake in January 2027
    assert {key[0]: row[0] for key, row in stored.months.items()} == {202612: 1, 202701: 1}
    assert {key[2]: row[0] for key, row in stored.questions.items()} == {"mau-001": 1, "mau-002": 1}
    assert {key[3]: row[0] for key, row in stored.picks.items()} == {"b": 1, "a": 1}
