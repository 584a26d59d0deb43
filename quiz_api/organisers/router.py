"""POST /api/v1/auth/token: the OAuth2 password flow, for scripts that read the reports."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel

from quiz_api.deps import ReadDB, SettingsDep
from quiz_api.organisers import security
from quiz_api.organisers.deps import API_PURPOSE, CurrentOrganiser, app_secret_key, log_in
from quiz_api.schemas import Problem
from quiz_api.strictjson import StrictJSONRoute

router = APIRouter(route_class=StrictJSONRoute, tags=["auth"])


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int  # seconds


@router.post("/auth/token", response_model=Token,
             responses={400: {"model": Problem, "description": "a form body that cannot be parsed"},
                        401: {"description": "wrong username or password"}, 429: {"description": "too many tries"},
                        503: {"description": "too many logins at once: try again after Retry-After"}})
def token(request: Request, form: Annotated[OAuth2PasswordRequestForm, Depends()], db: ReadDB,
          settings: SettingsDep) -> Token:
    """Exchange an organiser's username and password for a bearer token (expires after token_ttl_minutes)."""
    organiser = log_in(request, db, form.username[:64], form.password[:1024])
    ttl = settings.token_ttl_minutes * 60
    value, _exp = security.issue(organiser_id=organiser.id, password_hash=organiser.password_hash,
                                 ttl_seconds=ttl, key=app_secret_key(request), purpose=API_PURPOSE)
    return Token(access_token=value, expires_in=ttl)


class Me(BaseModel):
    username: str
    role: str
    units: list[str]  # assigned units; every unit below them is visible too (empty for an admin: all)


@router.get("/auth/me", response_model=Me,
            responses={401: {"model": Problem, "description": "no, expired or forged token"}})
def me(who: CurrentOrganiser) -> Me:
    """Who this token belongs to and what it may see."""
    return Me(username=who.username, role=who.role, units=sorted(who.unit_codes))
