"""Organiser fixtures shared by the organiser and report tests."""

from __future__ import annotations

import re

from quiz_api.organisers import service as organisers

PASSWORD = "mật-khẩu-đủ-dài-123"


def make_organiser(database, username: str, *, admin: bool = False, units: tuple[str, ...] = ()) -> None:
    with database.writing() as db:
        organisers.create(db=db, username=username, password=PASSWORD, role="admin" if admin else "unit",
                          unit_codes=list(units))


def token(client, username: str, password: str = PASSWORD) -> str:
    response = client.post("/api/v1/auth/token", data={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def bearer(client, username: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(client, username)}"}


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def web_login(client, username: str, password: str = PASSWORD, next: str = "/organiser"):
    page = client.get("/organiser/login")
    return client.post("/organiser/login", data={"csrf_token": csrf(page.text), "username": username,
                                                 "password": password, "next": next}, follow_redirects=False)
