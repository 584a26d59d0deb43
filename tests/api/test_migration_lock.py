"""Two hosts upgrading one PostgreSQL database at once take turns (an advisory lock): both succeed
and the schema is at head once."""

from __future__ import annotations

import os
import subprocess
import sys

from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text

from quiz_api import migrate
from tests.reliability.server import ROOT, fresh_database

UPGRADE = "from quiz_api import migrate; import sys; migrate.upgrade(sys.argv[1])"


def test_two_concurrent_upgrades_of_an_empty_database_both_succeed(tmp_path):
    with fresh_database("postgresql", tmp_path) as url:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        hosts = [subprocess.Popen([sys.executable, "-c", UPGRADE, url], cwd=tmp_path, env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT) for _ in range(2)]
        outputs = [(host.wait(timeout=120), host.stdout.read().decode()) for host in hosts]
        for code, output in outputs:
            assert code == 0, output
        head = ScriptDirectory.from_config(migrate.alembic_config(url)).get_current_head()
        engine = create_engine(url)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == [head]
            assert conn.scalar(text("SELECT count(*) FROM information_schema.tables WHERE table_name = 'attempt'")) == 1
        engine.dispose()
