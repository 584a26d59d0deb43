"""Rate limits hold in total across processes on PostgreSQL (the rate_limit table), and in memory
on SQLite's single process."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from quiz_api import codes
from quiz_api.learners import service as learners
from quiz_api.main import create_app
from quiz_api.ratelimit import DatabaseCounters, MemoryCounters, RateLimiter, counter_engine
from tests.conftest import make_settings, new_learner


@pytest.fixture
def postgres_url(database_url: str) -> str:
    if database_url.startswith("sqlite"):
        pytest.skip("shared counters are PostgreSQL's; SQLite serves from one process")
    return database_url


@pytest.fixture
def two_apps(postgres_url, client):  # client: empties the tables and resets the limits first
    first, second = create_app(make_settings(postgres_url)), create_app(make_settings(postgres_url))
    with TestClient(first) as a, TestClient(second) as b:
        yield a, b
    first.state.limiters.dispose()
    second.state.limiters.dispose()


def _guess(client: TestClient, code: str) -> int:
    return client.get(f"/api/v1/learners/{code}/data").status_code


def test_two_app_instances_share_the_code_guessing_limit(two_apps, app):
    a, b = two_apps
    real = new_learner(a)
    limit = app.state.settings.code_lookups_per_minute
    for i in range(limit):  # the misses are spread over both instances
        assert _guess((a, b)[i % 2], codes.new_code(learners.CODE_LENGTH)) == 404
    for client in (a, b):  # each instance alone saw only half of them, and still refuses a right guess
        assert _guess(client, real) == 429


def test_two_app_instances_share_the_login_limit(two_apps, app):
    a, b = two_apps
    limit = app.state.settings.login_attempts_per_minute
    for i in range(limit):
        response = (a, b)[i % 2].post("/api/v1/auth/token", data={"username": "admin1", "password": "wrong"})
        assert response.status_code == 401
    for client in (a, b):
        blocked = client.post("/api/v1/auth/token", data={"username": "admin1", "password": "wrong"})
        assert blocked.status_code == 429 and 1 <= int(blocked.headers["Retry-After"]) <= 60


def test_concurrent_hits_from_many_threads_allow_exactly_the_limit(postgres_url):
    engine = counter_engine(postgres_url)
    counters = DatabaseCounters(engine, "test-concurrent", limit=7, window=60)
    counters.reset()
    with ThreadPoolExecutor(16) as pool:
        allowed = list(pool.map(lambda _: counters.hit("203.0.113.9|x")[0], range(40)))
    assert allowed.count(True) == 7
    counters.reset()
    engine.dispose()


def test_a_window_ends_and_expired_rows_are_cleaned_up(postgres_url):
    engine = counter_engine(postgres_url)
    counters = DatabaseCounters(engine, "test-expiry", limit=2, window=0.5)
    counters.reset()
    assert [counters.hit("k")[0] for _ in range(3)] == [True, True, False]
    assert counters.blocked("k") >= 1
    time.sleep(0.6)
    assert counters.blocked("k") == 0 and counters.hit("k") == (True, 0)  # a new window
    with engine.begin() as conn:  # a row whose window ended long ago
        conn.execute(text("INSERT INTO rate_limit VALUES ('test-expiry:old', 3, now() - interval '2 minutes')"))
    counters._next_purge = 0  # the clean-up is due
    counters.hit("k")
    with engine.connect() as conn:
        keys = set(conn.scalars(text("SELECT key FROM rate_limit WHERE key LIKE 'test-expiry:%'")))
    assert "test-expiry:old" not in keys and len(keys) == 1
    counters.reset()
    engine.dispose()


def test_counter_keys_hold_no_address_or_username(postgres_url):
    engine = counter_engine(postgres_url)
    limiter = RateLimiter(5, engine=engine, name="test-keys")
    limiter.reset()
    limiter.hit("198.51.100.7|admin1")
    with engine.connect() as conn:
        (key,) = conn.execute(text("SELECT key FROM rate_limit WHERE key LIKE 'test-keys:%'")).one()
    assert "198.51" not in key and "admin1" not in key
    limiter.reset()
    engine.dispose()


def test_memory_counters_refuse_past_the_limit_until_the_oldest_try_leaves_the_window():
    counters = MemoryCounters(limit=2, window=0.3)
    assert [counters.hit("k")[0] for _ in range(3)] == [True, True, False]
    assert counters.blocked("k") == 1 and counters.blocked("other") == 0
    time.sleep(0.35)
    assert counters.blocked("k") == 0 and counters.hit("k")[0]
