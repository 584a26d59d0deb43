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
    secret_key: str = ""  # signs sessions and tokens; generated into var/ when empty
    token_ttl_minutes: int = 60
    session_ttl_minutes: int = 480
    login_attempts_per_minute: int = 5
    code_lookups_per_minute: int = 10  # learner-code and certificate guesses per client
    consent_version: str = "2026-11"
    cookie_secure: bool = False  # set true behind HTTPS

    def public_base(self, request_base_url: str | None = None) -> str:
        """The absolute address to print, without a trailing slash (see public_url)."""
        return (self.public_url or request_base_url or LOCAL_URL).rstrip("/")

    @property
    def cooldown(self) -> timedelta:
        """The wait after a failed attempt (cooldown_seconds wins when set)."""
        if self.cooldown_seconds is not None:
            return timedelta(seconds=self.cooldown_seconds)
        return timedelta(minutes=self.cooldown_minutes)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()
