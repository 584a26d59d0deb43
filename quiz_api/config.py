"""Settings: one place, read from the environment (prefix KYNANGSO_) or a .env file."""

from __future__ import annotations

from datetime import timedelta
from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

from quiz_api import PACKAGE_DIR

LOCAL_URL = "http://127.0.0.1:8000"  # `kynangso serve`'s default address


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KYNANGSO_", env_file=".env", extra="ignore")

    database_url: str = "sqlite:///var/kynangso.db"
    # PostgreSQL connections each serving process keeps (twice as many more at a peak), and how long a
    # request waits for one before it is answered 503 "busy". Hosts x workers x (3 x size + 10, the
    # rate limiters' own pool at most) must stay under PostgreSQL's max_connections.
    db_pool_size: int = 10
    db_pool_timeout: float = 30.0
    site_dir: Path = Path("site")
    docs_dir: Path = Path("docs")
    banks_dir: Path = PACKAGE_DIR / "banks"
    profile_dir: Path = PACKAGE_DIR / "profiles" / "tay-ninh"
    var_dir: Path = Path("var")
    # The public address (https://kynangso.example.vn), printed in certificate QR codes and links and
    # accepted as the origin of forms. Set it in production. Empty: the address each request came to
    # (so `make serve PORT=8080` prints 8080), or LOCAL_URL where there is no request (the CLI).
    public_url: str = ""

    attempt_ttl_minutes: int = 60
    cooldown_minutes: int = 10  # wait after a failed attempt before the next one
    # Overrides cooldown_minutes when set: lets the browser journeys wait seconds, not minutes, for a retake.
    cooldown_seconds: int | None = None
    retention_days: int = 730  # personal data of inactive learners is erased after this
    suppression_threshold: int = 5  # aggregate cells below this are hidden from unit organisers
    max_body_bytes: int = 64 * 1024
    # Signs sessions and tokens; generated into var/ when empty. Required with several workers or on
    # PostgreSQL (`kynangso serve` refuses to start): every process on every host must share it.
    secret_key: str = ""
    token_ttl_minutes: int = 60
    session_ttl_minutes: int = 480
    login_attempts_per_minute: int = 5  # per client and username, every try
    # failed logins per client whatever the username (each costs an argon2 hash: ~0.2 s CPU, 64 MiB)
    login_failures_per_client_per_minute: int = 20
    # argon2 hashes running at once per process (64 MiB each); a login waits this long for a slot, then 503
    password_hash_slots: int = 2
    password_hash_wait_seconds: float = 1.0
    code_lookups_per_minute: int = 10  # learner-code and certificate guesses per client
    consent_version: str = "2026-11"
    cookie_secure: bool = False  # set true behind HTTPS
    # Addresses of the reverse proxies whose X-Forwarded-For / -Proto are believed (uvicorn's
    # --forwarded-allow-ips: "10.0.0.5,10.0.0.6", a CIDR, or "*"); empty: no proxy headers are read.
    trusted_proxies: str = ""
    # GET /metrics answers these addresses or networks, or a request with `Authorization: Bearer <token>`.
    metrics_allow: str = "127.0.0.1,::1"
    metrics_token: str = ""
    log_format: str = "text"  # or "json": one object a line (time, level, logger, message, request_id)
    access_log: bool = True  # one line per request (route template, status, time): `serve --no-access-log`

    def public_base(self, request_base_url: str | None = None) -> str:
        """The absolute address to print, without a trailing slash (see public_url)."""
        return (self.public_url or request_base_url or LOCAL_URL).rstrip("/")

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

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def serving_problem(self, *, workers: int) -> str | None:
        """Why this configuration cannot serve with `workers` processes, or None."""
        if not self.secret_key and (workers > 1 or not self.is_sqlite):
            where = f"{workers} workers" if workers > 1 else "PostgreSQL"
            return (f"KYNANGSO_SECRET_KEY is not set. With {where} several processes (and perhaps several "
                    "hosts) serve, and a session cookie or bearer token signed by one must be accepted by "
                    "every other: each would otherwise use a key of its own from its var/ directory and "
                    "log organisers out at random. Set the same long random value on every host, e.g. "
                    "KYNANGSO_SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_urlsafe(48))').")
        return None


@lru_cache
def get_settings() -> Settings:
    return Settings()
