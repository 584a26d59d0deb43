"""Passwords (argon2id) and signed, stateless tokens (HMAC-SHA256 of the server's secret key).

A token is `base64url(json payload) . base64url(HMAC)`; the payload names the organiser, what the
token is for ("api" bearer token or "web" session cookie), when it expires, and a fingerprint of
the password hash, so changing a password ends every token issued before. Nothing is stored on the
server, so any worker can check any token.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from quiz_api.config import Settings
from quiz_api.errors import Busy

PRODUCTION_HASHER = PasswordHasher()  # argon2id, 64 MiB, t=3, p=4: the library's recommended profile (RFC 9106)
_hasher = PRODUCTION_HASHER
# Verified when the username is unknown, so a wrong username costs the same time as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def use_hasher(hasher: PasswordHasher) -> None:
    """Replace the argon2id parameters (tests use a cheap profile; production keeps the default)."""
    global _hasher, _DUMMY_HASH
    _hasher = hasher
    _DUMMY_HASH = hasher.hash(secrets.token_urlsafe(16))
MIN_PASSWORD_LENGTH = 10


class HashSlots:
    """At most `slots` password checks at once in this process; the rest wait up to `wait` seconds,
    then get Busy (503, Retry-After). Each argon2id check takes 64 MiB and about 0.2 s of CPU:
    measured with bench/login_bench.py, 40 parallel logins (every one another username) grew the
    server by 1,451 MB without this; with 2 slots by 130 MB (4 answered 401, 36 got 503)."""

    def __init__(self, slots: int, wait: float) -> None:
        self.slots = max(1, slots)
        self.wait = wait
        self._semaphore = threading.BoundedSemaphore(self.slots)

    @contextmanager
    def __call__(self) -> Iterator[None]:
        if not self._semaphore.acquire(timeout=self.wait):
            raise Busy("login_busy", retry_after=max(1, round(self.wait * 2)))
        try:
            yield
        finally:
            self._semaphore.release()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when password matches; a missing hash still costs one verification (no timing hint)."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def password_fingerprint(password_hash: str) -> str:
    """A short digest of the stored hash: tokens carry it, so a new password revokes old tokens."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:12]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _purpose_key(key: bytes, purpose: str) -> bytes:
    # One derived key per purpose: a session cookie can never be replayed as a bearer token.
    return hmac.new(key, f"kynangso:{purpose}".encode(), hashlib.sha256).digest()


class TokenError(ValueError):
    """The token is malformed, forged, for another purpose, or expired (`expired` tells which)."""

    def __init__(self, expired: bool = False) -> None:
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def sign(payload: dict[str, Any], *, key: bytes, purpose: str) -> str:
    body = _b64(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode())
    mac = hmac.new(_purpose_key(key, purpose), body.encode(), hashlib.sha256).digest()
    return f"{body}.{_b64(mac)}"


def unsign(token: str, *, key: bytes, purpose: str, now: float | None = None) -> dict[str, Any]:
    """The payload of a token signed for purpose; raise TokenError if forged, malformed or expired."""
    try:
        body, mac = token.split(".")
        expected = hmac.new(_purpose_key(key, purpose), body.encode(), hashlib.sha256).digest()
        if not hmac.compare_digest(expected, _unb64(mac)):
            raise TokenError()
        payload = json.loads(_unb64(body))
    except (ValueError, TypeError, UnicodeError) as exc:
        if isinstance(exc, TokenError):
            raise
        raise TokenError() from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("exp"), int | float):
        raise TokenError()
    if payload["exp"] <= (time.time() if now is None else now):
        raise TokenError(expired=True)
    return payload


def issue(*, organiser_id: int, password_hash: str, ttl_seconds: int, key: bytes, purpose: str,
          now: float | None = None) -> tuple[str, int]:
    """A signed token for the organiser and its expiry (Unix seconds)."""
    now = time.time() if now is None else now
    exp = int(now) + ttl_seconds
    payload = {"sub": organiser_id, "pwf": password_fingerprint(password_hash), "exp": exp,
               "n": secrets.token_hex(4)}
    return sign(payload, key=key, purpose=purpose), exp


def secret_key(settings: Settings) -> bytes:
    """settings.secret_key, or a random key generated once into var/secret_key (mode 0600)."""
    if settings.secret_key:
        return settings.secret_key.encode()
    path = Path(settings.var_dir) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another worker created it first: use theirs
        else:
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_urlsafe(48))
    key = ""
    for _ in range(100):  # the creating worker may still be writing it
        key = path.read_text().strip()
        if len(key) >= 32:
            break
        time.sleep(0.01)
    if len(key) < 32:
        raise RuntimeError(f"{path} is empty or too short: delete it and restart to generate a new one")
    return key.encode()
