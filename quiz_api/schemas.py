"""Request and response bodies of the JSON API (one module: they are small and shared)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, WithJsonSchema

from quiz_api.labels import GroupId as Group
from quiz_api.labels import Lang


def utc_text(value: datetime) -> str:
    """Times are stored as naive UTC; in JSON they say so ("...Z"): RFC 3339 date-times need an
    offset, and a browser reads a time without one as local time (7 hours off in Việt Nam)."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat() + "Z"


UtcDateTime = Annotated[datetime, PlainSerializer(utc_text, return_type=str, when_used="json"),
                        WithJsonSchema({"type": "string", "format": "date-time"})]


class Status(BaseModel):
    status: str


class ModulePublic(BaseModel):
    id: str
    title: str
    pass_mark: float
    questions_per_attempt: int
    question_count: int
    lesson_url: str
    quiz_url: str


class UnitPublic(BaseModel):
    code: str
    name: str
    kind: str
    parent_code: str | None


class LearnerCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    full_name: str = Field(max_length=200)
    group: Group
    unit_code: str = Field(max_length=64)
    organisation: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=32)
    consent: bool
    lang: Lang | None = None
    class_code: str | None = Field(default=None, max_length=40,
                                   description="join this class too (the code on the class's join sheet)")


class LearnerCreated(BaseModel):
    learner_code: str
    class_code: str | None = None  # the class joined, when a class code was sent


class AttemptCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    learner_code: str = Field(max_length=64)
    module_id: str = Field(max_length=64)
    lang: Lang = "vi"


class ChoicePublic(BaseModel):
    id: str
    text: str


class QuestionPublic(BaseModel):
    id: str
    type: str
    text: str
    choices: list[ChoicePublic]


class AttemptCreated(BaseModel):
    attempt_id: str
    module_id: str
    expires_at: UtcDateTime
    questions: list[QuestionPublic]
    resumed: bool = False  # the learner's open attempt at this module, given back unchanged


class Submission(BaseModel):
    model_config = ConfigDict(extra="forbid")

    answers: dict[str, list[str]] = Field(max_length=200)
    allow_unanswered: bool = Field(
        default=False, description="grade even if some questions have no answer (they count as wrong); "
                                   "otherwise such a submission gets 422 `unanswered` and nothing is recorded")


class QuestionResult(BaseModel):
    id: str
    type: str | None = None
    text: str | None = None
    correct: bool
    chosen: list[str]
    correct_choices: list[str] | None = None
    choices: list[ChoicePublic] | None = None
    explanation: str | None = None
    lesson_url: str | None = None


class SubmissionResult(BaseModel):
    attempt_id: str
    module_id: str
    score: float
    correct_count: int
    question_count: int
    pass_mark: float
    passed: bool
    certificate_code: str | None
    questions: list[QuestionResult]


class Problem(BaseModel):
    """Every 4xx answer: a message in the learner's language and a stable code."""

    detail: str
    code: str


class UnansweredProblem(Problem):
    """422 `unanswered`: the questions without an answer, in the order shown; nothing was recorded and
    the attempt stays open."""

    question_ids: list[str]


class FieldError(BaseModel):
    """One part of a request that does not fit the schema (the value sent is never echoed)."""

    type: str
    loc: list[str | int]
    msg: str


class ValidationProblem(BaseModel):
    """A 422 for a request that does not fit the schema (main.py): what is wrong where, a message in
    the learner's language and a stable code (`invalid_input`, or `malformed_json` for a body that is
    not JSON)."""

    detail: list[FieldError]
    message: str
    code: str


# For `responses=` of endpoints whose 422 is either a domain Problem (e.g. an unknown unit) or a
# ValidationProblem (a request that does not fit the schema).
INVALID: dict[str, Any] = {
    "model": Problem | ValidationProblem,
    "description": "invalid input: a Problem, or a ValidationProblem listing each field",
}
