"""Dependencies shared by routers: settings, database sessions, language (the banks' one is
banks/deps.py, so this module and the banks package do not import each other)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from quiz_api.config import Settings
from quiz_api.db import Database
from quiz_api.labels import pick_lang


def get_settings_dep(request: Request) -> Settings:
    return request.app.state.settings


def get_database(request: Request) -> Database:
    return request.app.state.database


def read_session(request: Request) -> Iterator[Session]:
    with request.app.state.database.reading() as session:
        yield session


def write_session(request: Request) -> Iterator[Session]:
    """A session committed when the endpoint returns normally, rolled back whole otherwise."""
    with request.app.state.database.writing() as session:
        yield session


def request_lang(request: Request) -> str:
    lang = request.query_params.get("lang") or request.headers.get("accept-language")
    return pick_lang(lang)


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
DatabaseDep = Annotated[Database, Depends(get_database)]
ReadDB = Annotated[Session, Depends(read_session)]
# scope="function": commit before the response is sent, so an acknowledged write is on disk.
WriteDB = Annotated[Session, Depends(write_session, scope="function")]
LangDep = Annotated[str, Depends(request_lang)]
