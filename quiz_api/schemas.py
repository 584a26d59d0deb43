"""Request and response bodies of the JSON API (one module: they are small and shared)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Group = Literal["public_servant", "business", "citizen"]
Lang = Literal["vi", "en"]


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


class LearnerCreated(BaseModel):
    learner_code: str


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
    expires_at: datetime
    questions: list[QuestionPublic]


class Submission(BaseModel):
    model_config = ConfigDict(extra="forbid")

    answers: dict[str, list[str]] = Field(max_length=200)


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
