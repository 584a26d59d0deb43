"""Settings that change behaviour: the cooldown after a failed attempt."""

from datetime import timedelta

from quiz_api.config import Settings


def test_the_cooldown_is_counted_in_minutes_by_default():
    assert Settings(cooldown_minutes=10).cooldown == timedelta(minutes=10)


def test_cooldown_seconds_wins_over_minutes_when_set():
    assert Settings(cooldown_minutes=10, cooldown_seconds=8).cooldown == timedelta(seconds=8)
    assert Settings(cooldown_minutes=10, cooldown_seconds=0).cooldown == timedelta(0)


def test_cooldown_seconds_is_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("KYNANGSO_COOLDOWN_SECONDS", "3")
    assert Settings().cooldown == timedelta(seconds=3)
