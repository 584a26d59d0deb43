"""API bodies for classes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from quiz_api.labels import Lang
from quiz_api.schemas import UtcDateTime


class ClassCreate(BaseModel):
    """A class to schedule. `starts_at` without an offset is Vietnam local time (Asia/Ho_Chi_Minh)."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(max_length=200)
    starts_at: datetime = Field(description="e.g. 2026-12-05T08:00 (Vietnam time) or with an offset")
    place: str = Field(max_length=200)
    unit_code: str = Field(max_length=64, description="the unit that runs the class (one of yours)")
    modules: list[str] = Field(min_length=1, max_length=20)
    trainer_name: str = Field(max_length=120)
    expected_headcount: int = Field(ge=1, le=10_000)
    lang: Lang | None = None


class ClassWarning(BaseModel):
    code: str
    detail: str


class ClassPublic(BaseModel):
    code: str = Field(description="the join code learners type or scan")
    title: str
    starts_at: UtcDateTime
    starts_at_local: str = Field(description="the start in Vietnam time, ISO 8601 with +07:00")
    place: str
    unit_code: str
    unit_name: str
    modules: list[str]
    trainer_name: str
    expected_headcount: int
    closed: bool
    members: int
    join_url: str
    warnings: list[ClassWarning] = []


class ModuleCountsPublic(BaseModel):
    module_id: str
    joined: int
    started: int
    submitted: int
    passed: int


class MemberResult(BaseModel):
    module_id: str
    started: bool
    submitted: bool
    passed: bool
    best_score: float | None
    certificate_code: str | None


class MemberPublic(BaseModel):
    full_name: str
    unit_code: str
    unit_name: str
    group: str
    joined_at: UtcDateTime
    results: list[MemberResult]


class ClassProgress(BaseModel):
    """A class with its counts per module and its members (erased learners are counted, never named)."""

    class_: ClassPublic = Field(alias="class")
    counts: list[ModuleCountsPublic]
    members: list[MemberPublic]
    erased_members: int

    model_config = ConfigDict(populate_by_name=True)


class JoinBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    learner_code: str = Field(max_length=64)
    lang: Lang | None = None


class Joined(BaseModel):
    joined: bool = Field(description="false when the learner was in the class already (nothing changed)")
    class_: ClassPublic = Field(alias="class")

    model_config = ConfigDict(populate_by_name=True)
