"""Settings: one place, read from the environment (prefix KYNANGSO_) or a .env file."""

from __future__ import annotations

from datetime import timedelta
from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

from quiz_api import PACKAGE_DIR


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KYNANGSO_", env_file=".env", extra="ignore")

    database_url: str = "sqlite:///var/kynangso.db"
    site_dir: Path = Path("site")
    docs_dir: Path = Path("docs")
    banks_dir: Path = PACKAGE_DIR / "banks"
    profile_dir: Path = PACKAGE_DIR / "profiles" / "tay-ninh"
    var_dir: Path = Path("var")
    # Absolute URL printed in certificate QR codes; set it to the public address in production.
    public_url: str = "http://127.0.0.1:8000"

    attempt_ttl_minutes: int = 60
    cooldown_minutes: int = 10  # wait after a failed attempt before the next one
    # Overrides cooldown_minutes when set: lets the browser journeys wait seconds, not minutes, for a retake.
    cooldown_seconds: int | None = None
    retention_days: int = 730  # personal data of inactive learners is erased after this
    suppression_threshold: int = 5  # aggregate cells below this are hidden from unit organisers
    max_body_bytes: int = 64 * 1024
    secret_key: str = ""  # signs sessions and tokens; generated into var/ when empty
    token_ttl_minutes: int = 60
    session_ttl_minutes: int = 480
    login_attempts_per_minute: int = 5
    code_lookups_per_minute: int = 10  # learner-code and certificate guesses per client
    consent_version: str = "2026-11"
    cookie_secure: bool = False  # set true behind HTTPS
    # Over capacity, a request is refused at once (503 server_busy, Retry-After) rather than left to
    # wait, so every answer comes within about 2 s (bench/burst_bench.py --register): when it waited
    # this long before the application saw it (kynangso serve notes arrivals, serving.py; an answer
    # then took up to 0.2-0.9 s more under load); when this many jobs already wait for the
    # group-commit writer (a backstop: measured 2,800 registrations/s through the writer on SQLite,
    # 870/s on PostgreSQL, so 2,000 waiting is 0.7-2.3 s of work) or a job waited this long for its
    # batch (db.GroupCommitWriter). 0: no bound.
    request_max_wait_seconds: float = 1.0
    writer_queue_max: int = 2000
    writer_max_wait_seconds: float = 0.3

    @property
    def cooldown(self) -> timedelta:
        """The wait after a failed attempt (cooldown_seconds wins when set)."""
        if self.cooldown_seconds is not None:
            return timedelta(seconds=self.cooldown_seconds)
        return timedelta(minutes=self.cooldown_minutes)


@lru_cache
def get_settings() -> Settings:
    return Settings()
