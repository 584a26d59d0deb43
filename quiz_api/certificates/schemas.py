"""API bodies for certificates."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class CertificatePublic(BaseModel):
    """What verification tells anyone holding the code: never a full name, email or phone."""

    code: str
    valid: bool
    status: Literal["valid", "revoked", "holder_erased"]
    message: str
    kind: Literal["module", "path"]
    module_id: str | None
    path: str | None = Field(description="the learner group whose learning path was completed")
    title: str
    issued_on: date
    revoked_on: date | None
    holder: str | None = Field(
        description='masked name, e.g. "Nguyễn V. A."; null when the holder erased their data')
    verify_url: str


class Revocation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=500)
