"""Logins cannot be turned into a CPU and memory weapon: failures are limited per client whatever
the username, and only a few password hashes run at once (the rest: 503 with Retry-After)."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from quiz_api.errors import Busy
from quiz_api.organisers.security import HashSlots
from tests.organisers.helpers import PASSWORD, csrf, make_organiser


def _token(client, username: str, password: str):
    return client.post("/api/v1/auth/token", data={"username": username, "password": password})


def test_rotating_usernames_is_limited_per_client(client, database, app):
    make_organiser(database, "admin1", admin=True)
    limit = app.state.settings.login_failures_per_client_per_minute
    assert limit > app.state.settings.login_attempts_per_minute  # the per-username limit never applies here
    for i in range(limit):
        assert _token(client, f"guess-{i}", "wrong-password").status_code == 401
    blocked = _token(client, "admin1", PASSWORD)  # even the right password, for an account not tried yet
    assert blocked.status_code == 429 and blocked.json()["code"] == "rate_limited"
    assert 1 <= int(blocked.headers["Retry-After"]) <= 60
    page = client.get("/organiser/login")
    web = client.post("/organiser/login", data={"csrf_token": csrf(page.text), "username": "admin1",
                                                "password": PASSWORD})
    assert web.status_code == 429 and web.headers["Retry-After"]
    app.state.limiters.login_failures.reset()  # a minute later
    assert _token(client, "admin1", PASSWORD).status_code == 200


def test_successful_logins_do_not_count_as_failures(client, database, app):
    for i in range(3):
        make_organiser(database, f"admin{i}", admin=True)
    limit = app.state.settings.login_failures_per_client_per_minute
    for i in range(limit - 1):
        assert _token(client, f"guess-{i}", "wrong-password").status_code == 401
    for _ in range(2):  # within the per-username limit, and not failures
        for i in range(3):
            assert _token(client, f"admin{i}", PASSWORD).status_code == 200
    assert _token(client, "admin0", PASSWORD).status_code == 200


@pytest.fixture
def one_slot(app):
    original = app.state.hash_slots
    app.state.hash_slots = HashSlots(1, wait=0.05)
    yield app.state.hash_slots
    app.state.hash_slots = original


def test_a_login_finding_every_hash_slot_taken_gets_503_with_retry_after(client, database, one_slot):
    make_organiser(database, "admin1", admin=True)
    with one_slot():  # another login is hashing
        busy = _token(client, "admin1", PASSWORD)
        assert busy.status_code == 503 and busy.json()["code"] == "login_busy"
        assert int(busy.headers["Retry-After"]) >= 1
        page = client.get("/organiser/login")
        web = client.post("/organiser/login", data={"csrf_token": csrf(page.text), "username": "admin1",
                                                    "password": PASSWORD})
        assert web.status_code == 503 and web.headers["Retry-After"]
    assert _token(client, "admin1", PASSWORD).status_code == 200  # the slot is free again


def test_a_busy_answer_is_not_counted_as_a_failed_login(client, database, app, one_slot):
    make_organiser(database, "admin1", admin=True)
    with one_slot():
        for i in range(app.state.settings.login_failures_per_client_per_minute + 5):
            assert _token(client, f"guess-{i}", "wrong").status_code == 503
    assert _token(client, "admin1", PASSWORD).status_code == 200


def test_hash_slots_let_only_their_number_run_at_once_and_turn_the_rest_away():
    slots = HashSlots(2, wait=0.5)
    running, peak, lock = 0, 0, threading.Lock()

    def hash_once(_: int) -> str:
        nonlocal running, peak
        try:
            with slots():
                with lock:
                    running += 1
                    peak = max(peak, running)
                time.sleep(0.1)
                with lock:
                    running -= 1
            return "done"
        except Busy as exc:
            assert exc.status == 503 and exc.retry_after >= 1
            return "busy"

    with ThreadPoolExecutor(20) as pool:
        outcomes = list(pool.map(hash_once, range(20)))
    assert peak == 2
    assert 0 < outcomes.count("busy") < 20 and outcomes.count("done") >= 8  # 2 at a time for 0.5 s
