"""What `kynangso serve` needs before it serves several processes or hosts: a shared secret key,
the proxies it may believe, and pool settings that reach the engine."""

from __future__ import annotations

import pytest

from quiz_api import cli
from quiz_api.config import get_settings
from quiz_api.db import make_engine

PG = "postgresql+psycopg://kynangso@127.0.0.1:1/kynangso"  # never connected to: engines connect lazily


@pytest.fixture
def serve(monkeypatch, tmp_path):
    """Run `kynangso serve ARGS` with these KYNANGSO_* variables; uvicorn.run is recorded, not run."""
    import uvicorn

    calls: list[dict] = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: calls.append(kw))
    monkeypatch.chdir(tmp_path)  # no developer's .env
    # serve sets these for its workers; undone after the test, so no later test collects from an empty dir
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", "")
    monkeypatch.setenv("KYNANGSO_ACCESS_LOG", "true")

    def run(*args: str, **env: str) -> tuple[int, dict | None]:
        for name in ("SECRET_KEY", "DATABASE_URL", "TRUSTED_PROXIES"):
            monkeypatch.delenv(f"KYNANGSO_{name}", raising=False)
        for name, value in env.items():
            monkeypatch.setenv(f"KYNANGSO_{name.upper()}", value)
        get_settings.cache_clear()
        try:
            code = cli.main(["serve", "--no-upgrade", *args])
        finally:
            get_settings.cache_clear()
        return code, (calls[-1] if calls else None)

    return run


def test_several_workers_without_a_secret_key_refuse_to_start_and_say_why(serve, capsys):
    code, started = serve("--workers", "3")
    assert code == 2 and started is None
    err = capsys.readouterr().err
    assert "KYNANGSO_SECRET_KEY" in err and "3 workers" in err and "every other" in err


def test_postgresql_without_a_secret_key_refuses_to_start(serve, capsys):
    code, started = serve(database_url=PG)
    assert code == 2 and started is None
    assert "PostgreSQL" in capsys.readouterr().err


def test_with_a_secret_key_several_workers_on_postgresql_start(serve, tmp_path):
    import os

    code, started = serve("--workers", "3", database_url=PG, secret_key="k" * 40)
    assert code == 0 and started["workers"] == 3
    # the workers' metrics are added up from files in a directory of this server's own
    assert os.environ["PROMETHEUS_MULTIPROC_DIR"] == str((tmp_path / "var" / "metrics-8000").resolve())


def test_one_worker_on_sqlite_needs_no_secret_key(serve):
    code, started = serve()
    assert code == 0 and started["workers"] == 1 and started["proxy_headers"] is False


def test_trusted_proxies_turn_proxy_headers_on_for_those_addresses_only(serve):
    code, started = serve(trusted_proxies="10.0.0.5,10.0.0.6")
    assert code == 0 and started["proxy_headers"] is True
    assert started["forwarded_allow_ips"] == "10.0.0.5,10.0.0.6"
    code, started = serve("--forwarded-allow-ips", "192.0.2.0/24", trusted_proxies="10.0.0.5")
    assert started["proxy_headers"] is True and started["forwarded_allow_ips"] == "192.0.2.0/24"


def test_pool_size_and_timeout_reach_the_postgresql_engine():
    engine = make_engine(PG, pool_size=3, pool_timeout=2.5)
    assert engine.pool.size() == 3 and engine.pool.timeout() == 2.5
    assert engine.pool._max_overflow == 6
    engine.dispose()


def test_pool_settings_are_read_from_the_environment(monkeypatch):
    from quiz_api.config import Settings

    monkeypatch.setenv("KYNANGSO_DB_POOL_SIZE", "4")
    monkeypatch.setenv("KYNANGSO_DB_POOL_TIMEOUT", "5")
    settings = Settings()
    assert settings.db_pool_size == 4 and settings.db_pool_timeout == 5.0
