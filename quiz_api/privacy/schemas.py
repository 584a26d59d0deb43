"""API bodies for a learner's own data."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from quiz_api.labels import Lang
from quiz_api.schemas import UtcDateTime


class ConsentRecord(BaseModel):
    notice_version: str | None = Field(description="version of the privacy notice the learner agreed to")
    agreed_at: UtcDateTime | None


class Retention(BaseModel):
    days: int
    erased_if_inactive_until: UtcDateTime


class LearnerData(BaseModel):
    """Everything stored about the learner: every column of their rows, plus readable labels."""

    about: str
    exported_at: UtcDateTime
    profile: dict[str, Any]
    consent: ConsentRecord
    retention: Retention
    attempts: list[dict[str, Any]]
    certificates: list[dict[str, Any]]
    classes: list[dict[str, Any]] = Field(default=[], description="the training classes the learner joined")


class LearnerUpdate(BaseModel):
    """Corrections: only the fields sent change; an optional field sent as null or "" is removed."""

    model_config = ConfigDict(extra="forbid")

    full_name: str | None = Field(default=None, max_length=200)
    unit_code: str | None = Field(default=None, max_length=64)
    organisation: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=32)
    lang: Lang | None = None


class Erasure(BaseModel):
    erased: bool = Field(
        description="false when nothing was stored under the code (erased before, or a wrong code)")
    code: Literal["learner_erased", "nothing_to_erase"]
    detail: str
