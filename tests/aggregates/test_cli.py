"""`kynangso aggregates check` finds a wrong aggregate and names it; `kynangso aggregates rebuild`
puts it right, shows its progress, and changes nothing when run again."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import text

from quiz_api.aggregates import rebuild
from quiz_api.cli import main
from tests.conftest import clear_data
from tests.reports import data


@pytest.fixture
def cli_env(app, monkeypatch):
    from quiz_api.config import get_settings

    clear_data(app.state.database)
    settings = app.state.settings
    monkeypatch.setenv("KYNANGSO_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("KYNANGSO_BANKS_DIR", str(settings.banks_dir))
    get_settings.cache_clear()
    yield app.state.database
    get_settings.cache_clear()


def test_check_names_a_wrong_aggregate_and_rebuild_puts_it_right(cli_env, capsys):
    database = cli_env
    with database.writing() as db:
        for i in range(3):
            data.attempt(db, data.learner(db, name=f"Người {i}"), at=datetime(2026, 3, 10, 8, i),
                         answers=[("mau-001", True, "b"), ("mau-002", False, "a,c")])
    assert main(["aggregates", "check"]) == 0
    assert "match" in capsys.readouterr().out
    with database.engine.begin() as conn:
        conn.execute(text("UPDATE report_month SET attempts = attempts + 1"))
    assert main(["aggregates", "check"]) == 1
    err = capsys.readouterr().err
    assert "report_month" in err and "attempts: stored 4, expected 3" in err
    assert main(["aggregates", "rebuild"]) == 0
    captured = capsys.readouterr()
    assert "rebuilding aggregates" in captured.err and "100%" in captured.err  # the progress bar
    assert "1 month rows" in captured.out
    with database.engine.connect() as conn:
        first = rebuild.stored(conn)
    assert main(["aggregates", "rebuild"]) == 0
    with database.engine.connect() as conn:
        assert rebuild.stored(conn) == first  # idempotent
    assert main(["aggregates", "check"]) == 0
