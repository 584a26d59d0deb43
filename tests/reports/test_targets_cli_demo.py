"""Targets import (all or nothing, line numbers), `kynangso export` and `kynangso demo seed`."""

from __future__ import annotations

import csv
import io
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from quiz_api.audit import AuditLog
from quiz_api.csvfiles import CsvFileError
from quiz_api.learners.models import Learner
from quiz_api.reports import demo, targets
from quiz_api.reports.models import AppMeta, Target
from tests.reports import data

HEADER = "year,unit_code,group,module_id,headcount,target_share\n"


def count_targets(database) -> int:
    with database.reading() as db:
        return db.scalar(select(func.count()).select_from(Target))


@pytest.mark.parametrize("text,share", [("0.5", 0.5), ("0,5", 0.5), ("50%", 0.5), ("100 %", 1.0), ("1", 1.0),
                                        ("0", 0.0), ("12.5%", 0.125)])
def test_target_share_reads_fractions_and_percentages(text, share):
    assert targets.parse_share(text) == pytest.approx(share)


@pytest.mark.parametrize("text", ["", "abc", "80", "150%", "-0.2", "1.5", "0.5.1"])
def test_target_share_rejects_what_is_not_a_share(text):
    with pytest.raises(ValueError):
        targets.parse_share(text)


@given(st.integers(min_value=0, max_value=10000))
def test_any_percentage_up_to_100_is_a_share_between_0_and_1(n):
    assert targets.parse_share(f"{n / 100:g}%") == pytest.approx(n / 10000)


def test_targets_import_inserts_then_replaces(client, database):
    first = HEADER + "2026,TN-S-so-y-te,public_servant,mau-thu,420,100%\n2026,TN-P-long-an,citizen,mau-thu,900,0.3\n"
    with database.writing() as db:
        assert targets.import_csv(db=db, data=first.encode()) == {"created": 2, "updated": 0}
    with database.writing() as db:
        again = HEADER + "2026,TN-S-so-y-te,public_servant,mau-thu,430,90%\n"
        assert targets.import_csv(db=db, data=("\ufeff" + again).encode()) == {"created": 0, "updated": 1}
    with database.reading() as db:
        row = db.get(Target, (2026, "TN-S-so-y-te", "public_servant", "mau-thu"))
    assert (row.headcount, row.target_share) == (430, 0.9)


def test_a_targets_file_with_any_bad_row_changes_nothing_and_names_each_line(client, database):
    bad = HEADER + ("2026,TN-S-so-y-te,public_servant,mau-thu,420,100%\n"
                    "2026,NO-SUCH,citizen,mau-thu,10,0.5\n"
                    "1999,TN,aliens,mau-thu,-3,80\n"
                    "2026,TN-S-so-y-te,public_servant,mau-thu,1,1\n")
    with pytest.raises(CsvFileError) as caught, database.writing() as db:
        targets.import_csv(db=db, data=bad.encode(), known_modules={"mau-thu"})
    lines = {e.line for e in caught.value.errors}
    assert lines == {3, 4, 5}
    reasons = " ".join(str(e) for e in caught.value.errors)
    assert "NO-SUCH" in reasons and "aliens" in reasons and "repeats line 2" in reasons and "80%" in reasons
    assert count_targets(database) == 0


@pytest.mark.parametrize("content,needle", [
    (b"year,unit,group\n2026,TN,citizen\n", "missing column"),
    ("year,unit_code,group,module_id,headcount,target_share\n2026,TN,citizen,mau-thu,5,0.5\n".encode("utf-16"),
     "not UTF-8"),
    (HEADER.encode(), "no rows"),
])
def test_malformed_target_files_are_refused_clearly(client, database, content, needle):
    with pytest.raises(CsvFileError) as caught, database.writing() as db:
        targets.import_csv(db=db, data=content)
    assert needle in str(caught.value)


# --- the command line ----------------------------------------------------------------------------

@pytest.fixture
def cli_env(app, monkeypatch):
    from quiz_api.config import get_settings

    settings = app.state.settings
    monkeypatch.setenv("KYNANGSO_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("KYNANGSO_BANKS_DIR", str(settings.banks_dir))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_kynangso_targets_import_reports_bad_rows_and_exits_2(client, database, cli_env, tmp_path, capsys):
    from quiz_api.cli import main

    path = tmp_path / "t.csv"
    path.write_text(HEADER + "2026,TN,citizen,khong-co,5,0.5\n", "utf-8")
    assert main(["targets", "import", str(path)]) == 2
    assert "dòng/line 2" in capsys.readouterr().err
    path.write_text(HEADER + "2026,TN,citizen,mau-thu,5,0.5\n", "utf-8")
    assert main(["targets", "import", str(path)]) == 0
    assert count_targets(database) == 1


def test_kynangso_export_writes_the_file_shows_progress_and_is_audited(client, database, cli_env, tmp_path, capsys):
    from quiz_api.cli import main

    with database.writing() as db:
        for _ in range(3):
            data.attempt(db, data.learner(db))
    out = tmp_path / "attempts.csv"
    assert main(["export", "attempts", "--format", "csv", "--year", "2026", "-o", str(out)]) == 0
    rows = list(csv.reader(io.StringIO(out.read_text("utf-8-sig"))))
    assert len(rows) == 4
    err = capsys.readouterr().err
    assert "100%" in err and "3/3 rows" in err
    with database.reading() as db:
        audit = db.scalar(select(AuditLog).where(AuditLog.action == "export.attempts"))
    assert audit.actor.startswith("cli") and audit.row_count == 3
    assert json.loads(audit.detail)["filters"] == {"year": 2026}
    assert main(["export", "annual", "--year", "2030", "-o", str(tmp_path / "a.csv")]) == 2
    assert "2030" in capsys.readouterr().err
    assert not (tmp_path / "a.csv").exists()


# --- demo data -----------------------------------------------------------------------------------

def test_demo_seed_builds_a_province_and_marks_the_database(client, database, banks):
    counts = demo.seed(database=database, banks=banks, learners=300, year=2026, seed=1)
    assert counts["learners"] == 300 and counts["attempts"] >= 300 and counts["targets"] > 0
    with database.reading() as db:
        groups = dict(db.execute(select(Learner.group, func.count()).group_by(Learner.group)).all())
        assert set(groups) == {"public_servant", "business", "citizen"}
        assert db.scalar(select(func.count()).select_from(Learner).where(Learner.is_demo.is_(False))) == 0
        assert db.get(AppMeta, "demo") is not None
    again = demo.seed(database=database, banks=banks, learners=100, year=2026, seed=2)
    with database.reading() as db:
        assert db.scalar(select(func.count()).select_from(Learner)) == 100  # a re-run replaces the demo data
    assert again["learners"] == 100


def test_demo_seed_refuses_a_database_with_real_learners(client, database, banks):
    from quiz_api.errors import Conflict

    with database.writing() as db:
        data.learner(db)
    with pytest.raises(Conflict):
        demo.seed(database=database, banks=banks, learners=10)
    with database.reading() as db:
        assert db.scalar(select(func.count()).select_from(Learner)) == 1
        assert db.get(AppMeta, "demo") is None
