"""Learners: register with explicit consent (the learner's rights over the data are privacy/)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from quiz_api.deps import SettingsDep, WriteDB
from quiz_api.learners import service as learners
from quiz_api.schemas import INVALID, LearnerCreate, LearnerCreated
from quiz_api.strictjson import StrictJSONRoute

router = APIRouter(route_class=StrictJSONRoute, tags=["learners"])


@router.post("/learners", status_code=201, response_model=LearnerCreated,
             responses={422: INVALID})
def create_learner(body: LearnerCreate, request: Request, db: WriteDB, settings: SettingsDep) -> LearnerCreated:
    """Register a learner who consented; the learner code in the answer is shown only once."""
    request.state.lang = body.lang
    profile = learners.clean_profile(full_name=body.full_name, group=body.group, unit_code=body.unit_code,
                                     organisation=body.organisation, email=body.email, phone=body.phone)
    _, code = learners.create(db=db, profile=profile, consent=body.consent,
                              consent_version=settings.consent_version)
    return LearnerCreated(learner_code=code)
