"""Importing the unit tree: all or nothing, every bad row named with its line."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from quiz_api.csvfiles import CsvFileError
from quiz_api.units import service as units
from quiz_api.units.models import Unit


def count(database) -> int:
    with database.reading() as db:
        return db.scalar(select(func.count()).select_from(Unit))


@pytest.mark.parametrize("data, line, reason", [
    (b"code,name\nX,Y\n", 1, "missing column"),
    ("code,name,kind,parent_code\nX,Tên,xã,TN\n".encode("utf-16"), 1, "not UTF-8"),
    (b"code,name,kind,parent_code\nTN-A,A,xa,TN\nTN-A,B,xa,TN\n", 3, "repeats line 2"),
    (b"code,name,kind,parent_code\nTN-B,B,xa,NOWHERE\n", 2, "neither in the file"),
    (b"code,name,kind,parent_code\nTN-C,,xa,TN\n", 2, "has no name"),
    (b"code,name,kind,parent_code\nTN-D,D,xa,TN\nTN-E,E,xa,TN\x00\n", 3, "NUL byte"),
    (b"code,name,kind,parent_code\nP,P,x,Q\nQ,Q,x,P\n", 2, "its own ancestor"),
])
def test_a_bad_file_changes_nothing_and_names_the_line(client, database, data, line, reason):
    before = count(database)
    with pytest.raises(CsvFileError) as err, database.writing() as db:
        units.import_csv(db=db, data=data)
    assert any(e.line == line and reason in e.reason for e in err.value.errors), err.value.errors
    assert count(database) == before


def test_reimporting_the_profile_updates_and_creates_nothing_new(client, database):
    from tests.conftest import ROOT

    with database.writing() as db:
        counts = units.import_csv(db=db, data=(ROOT / "quiz_api/profiles/tay-ninh/units.csv").read_bytes())
    assert counts == {"created": 0, "updated": 112}


def test_a_kind_the_profile_does_not_allow_is_refused_with_its_line_and_the_allowed_kinds(client, database):
    from quiz_api.profile import load_profile
    from tests.conftest import ROOT

    kinds = load_profile(ROOT / "quiz_api/profiles/tay-ninh").unit_kinds
    assert "xã" in kinds and "phường" in kinds
    data = "code,name,kind,parent_code\nTN-F,F,xã,TN\nTN-G,G,huyện,TN\n".encode()
    before = count(database)
    with pytest.raises(CsvFileError) as err, database.writing() as db:
        units.import_csv(db=db, data=data, kinds=kinds)
    (error,) = err.value.errors
    assert error.line == 3 and "'huyện'" in error.reason and "xã" in error.reason and "phường" in error.reason
    assert count(database) == before


def test_the_cli_checks_kinds_against_the_profile(tmp_path, monkeypatch, database_url):
    from quiz_api import cli

    bad = tmp_path / "units.csv"
    bad.write_text("code,name,kind,parent_code\nTN-H,H,huyện,TN\n", encoding="utf-8")
    monkeypatch.setenv("KYNANGSO_DATABASE_URL", database_url)
    cli.get_settings.cache_clear()
    try:
        assert cli.main(["units", "import", str(bad)]) == 2
    finally:
        cli.get_settings.cache_clear()
