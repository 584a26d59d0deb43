"""Organiser accounts: argon2id hashes, bearer tokens, web sessions, rate-limited logins."""

from __future__ import annotations

import io
import time

import pytest
from sqlalchemy import select

from quiz_api.audit import AuditLog
from quiz_api.organisers import security
from quiz_api.organisers import service as organisers
from quiz_api.organisers.cli import read_password
from quiz_api.organisers.models import Organiser
from tests.organisers.helpers import PASSWORD, bearer, csrf, make_organiser, token, web_login


def test_passwords_are_stored_as_argon2id_hashes(client, database):
    make_organiser(database, "admin1", admin=True)
    with database.reading() as db:
        stored = db.scalar(select(Organiser.password_hash))
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert security.verify_password(stored, PASSWORD)
    assert not security.verify_password(stored, PASSWORD + "x")


def test_production_hashes_are_memory_hard_argon2id():
    from argon2 import Type

    hasher = security.PRODUCTION_HASHER
    assert hasher.type is Type.ID and hasher.memory_cost >= 64 * 1024 and hasher.time_cost >= 2
    assert hasher.hash("x").startswith("$argon2id$v=19$m=65536")


def test_an_organiser_exchanges_username_and_password_for_a_bearer_token(client, database, app):
    make_organiser(database, "admin1", admin=True)
    response = client.post("/api/v1/auth/token", data={"username": "Admin1", "password": PASSWORD})
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == app.state.settings.token_ttl_minutes * 60


@pytest.mark.parametrize("username,password", [("admin1", "wrong-password"), ("nobody", PASSWORD), ("", ""),
                                               ("admin1\x00", PASSWORD), ("a" * 500, "x")])
def test_wrong_credentials_get_401_with_one_vague_message(client, database, username, password):
    make_organiser(database, "admin1", admin=True)
    response = client.post("/api/v1/auth/token", data={"username": username, "password": password},
                           headers={"Accept-Language": "en"})
    assert response.status_code in (401, 422)
    if response.status_code == 401:
        assert response.json()["code"] == "bad_credentials"


def test_a_disabled_organiser_cannot_log_in_and_its_tokens_stop_working(client, database):
    make_organiser(database, "admin1", admin=True)
    make_organiser(database, "unit1", units=("TN-S-so-y-te",))
    headers = bearer(client, "unit1")
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200
    with database.writing() as db:
        organisers.set_disabled(db=db, username="unit1", disabled=True)
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401
    response = client.post("/api/v1/auth/token", data={"username": "unit1", "password": PASSWORD})
    assert response.status_code == 401


def test_a_new_password_revokes_every_older_token(client, database):
    make_organiser(database, "admin1", admin=True)
    headers = bearer(client, "admin1")
    with database.writing() as db:
        organisers.set_password(db=db, username="admin1", password="another-long-password")
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401
    assert token(client, "admin1", "another-long-password")


def test_missing_forged_and_expired_tokens_get_401(client, database, app):
    make_organiser(database, "admin1", admin=True)
    real = token(client, "admin1")
    assert client.get("/api/v1/auth/me").json()["code"] == "token_missing"
    body, mac = real.split(".")
    forged = body[:-2] + ("AA" if body[-2:] != "AA" else "BB") + "." + mac
    for bad in (forged, "not-a-token", real + "x", "a.b.c", ""):
        response = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {bad}"})
        assert response.status_code == 401, bad
    key = app.state.secret_key_bytes
    with database.reading() as db:
        org = db.scalar(select(Organiser))
    expired, _ = security.issue(organiser_id=org.id, password_hash=org.password_hash, ttl_seconds=60, key=key,
                                purpose="api-token", now=time.time() - 3600)
    response = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {expired}"})
    assert response.status_code == 401 and response.json()["code"] == "token_expired"
    other_key, _ = security.issue(organiser_id=org.id, password_hash=org.password_hash, ttl_seconds=60,
                                  key=b"another-secret-key-another-secret-key", purpose="api-token")
    assert client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {other_key}"}).status_code == 401


def test_a_web_session_cookie_is_not_accepted_as_a_bearer_token(client, database):
    make_organiser(database, "admin1", admin=True)
    web_login(client, "admin1")
    cookie = client.cookies.get("kns_organiser")
    assert cookie
    response = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {cookie}"})
    assert response.status_code == 401


def test_login_attempts_are_rate_limited_per_client_and_username(client, database, app):
    make_organiser(database, "admin1", admin=True)
    limit = app.state.settings.login_attempts_per_minute
    for _ in range(limit):
        response = client.post("/api/v1/auth/token", data={"username": "admin1", "password": "wrong-password"})
        assert response.status_code == 401
    blocked = client.post("/api/v1/auth/token", data={"username": "admin1", "password": PASSWORD})
    assert blocked.status_code == 429 and blocked.headers["Retry-After"]
    assert client.post("/api/v1/auth/token", data={"username": "someone-else", "password": "x"}).status_code == 401
    page = client.get("/organiser/login")
    web = client.post("/organiser/login", data={"csrf_token": csrf(page.text), "username": "admin1",
                                                "password": PASSWORD})
    assert web.status_code == 429


def test_the_web_login_sets_an_httponly_samesite_session_and_logout_ends_it(client, database):
    make_organiser(database, "admin1", admin=True)
    assert client.get("/organiser", follow_redirects=False).headers["location"].startswith("/organiser/login")
    response = web_login(client, "admin1")
    assert response.status_code == 303 and response.headers["location"] == "/organiser"
    cookie = response.headers["set-cookie"]
    assert "kns_organiser=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    dashboard = client.get("/organiser")
    assert dashboard.status_code == 200 and "admin1" in dashboard.text
    out = client.post("/organiser/logout", data={"csrf_token": csrf(dashboard.text)}, follow_redirects=False)
    assert out.status_code == 303
    assert client.get("/organiser", follow_redirects=False).status_code == 303


def test_the_web_login_refuses_a_missing_csrf_token_and_wrong_passwords(client, database):
    make_organiser(database, "admin1", admin=True)
    client.get("/organiser/login")
    no_token = client.post("/organiser/login", data={"username": "admin1", "password": PASSWORD})
    assert no_token.status_code == 403
    wrong = web_login(client, "admin1", password="wrong-password")
    assert wrong.status_code == 401 and "không đúng" in wrong.text
    assert "kns_organiser" not in wrong.headers.get("set-cookie", "")


def test_login_never_redirects_to_another_site(client, database):
    make_organiser(database, "admin1", admin=True)
    for target in ("https://evil.example/", "//evil.example", "/organiser//evil", "/quiz/x"):
        response = web_login(client, "admin1", next=target)
        assert response.headers["location"] == "/organiser"


def test_an_admin_creates_and_disables_accounts_on_the_accounts_page(client, database):
    make_organiser(database, "admin1", admin=True)
    web_login(client, "admin1")
    page = client.get("/organiser/accounts")
    assert page.status_code == 200
    response = client.post("/organiser/accounts", data={
        "csrf_token": csrf(page.text), "action": "create", "username": "yte", "password": "mot-mat-khau-dai",
        "role": "unit", "unit_code": ["TN-S-so-y-te"]})
    assert response.status_code == 200 and "yte" in response.text
    bad = client.post("/organiser/accounts", data={
        "csrf_token": csrf(page.text), "action": "create", "username": "x2", "password": "short",
        "role": "unit", "unit_code": ["TN-S-so-y-te"]})
    assert bad.status_code == 422
    client.post("/organiser/accounts", data={"csrf_token": csrf(page.text), "action": "disable", "username": "yte"})
    with database.reading() as db:
        org = db.scalar(select(Organiser).where(Organiser.username == "yte"))
        actions = set(db.scalars(select(AuditLog.action)))
    assert org.disabled_at is not None
    assert {"organiser.create", "organiser.disable"} <= actions


def test_a_unit_organiser_may_not_open_the_accounts_page(client, database):
    make_organiser(database, "unit1", units=("TN-S-so-y-te",))
    web_login(client, "unit1")
    assert client.get("/organiser/accounts").status_code == 403


def test_unit_organisers_need_existing_units_and_admins_none(client, database):
    from quiz_api.errors import Conflict, Invalid

    with pytest.raises(Invalid):
        make_organiser(database, "u1", units=("NO-SUCH-UNIT",))
    with pytest.raises(Invalid):
        make_organiser(database, "u2")
    with pytest.raises(Invalid):
        make_organiser(database, "Có dấu")
    make_organiser(database, "u33", units=("TN-S-so-y-te",))
    with pytest.raises(Conflict):
        make_organiser(database, "U33", units=("TN-S-so-y-te",))


def test_a_unit_organiser_sees_their_units_and_every_unit_below(client, database):
    make_organiser(database, "root", units=("TN",))
    make_organiser(database, "ward", units=("TN-P-long-an",))
    with database.reading() as db:
        root = organisers.principal(db=db, organiser=organisers.get_by_username(db=db, username="root"))
        ward = organisers.principal(db=db, organiser=organisers.get_by_username(db=db, username="ward"))
        assert organisers.visible_units(db=db, who=ward) == {"TN-P-long-an"}
        assert len(organisers.visible_units(db=db, who=root)) > 100


def test_the_cli_reads_the_password_from_stdin_never_from_an_argument(monkeypatch):
    from quiz_api.cli import build_parser

    assert read_password(io.StringIO("secret-from-stdin\n")) == "secret-from-stdin"
    args = build_parser().parse_args(["organiser", "create", "someone", "--unit", "TN"])
    assert not hasattr(args, "password")
    with pytest.raises(SystemExit):
        build_parser().parse_args(["organiser", "create", "someone", "--admin", "--password", "x"])


def test_the_secret_key_is_generated_once_into_var_when_not_configured(tmp_path):
    from quiz_api.config import Settings

    settings = Settings(secret_key="", var_dir=tmp_path)
    first = security.secret_key(settings)
    assert len(first) >= 32 and security.secret_key(settings) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
