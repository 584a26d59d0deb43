"""Learners: register; and the learner's own rights with their code — see, correct, erase."""

from __future__ import annotations

from fastapi import APIRouter, Path, Request

from quiz_api.classes import service as classes
from quiz_api.deps import BanksDep, LangDep, SettingsDep, WriteDB
from quiz_api.errors import NotFound
from quiz_api.labels import t
from quiz_api.learners import service as learners
from quiz_api.learners.deps import find_learner
from quiz_api.learners.document import data_document
from quiz_api.learners.schemas import Erasure, LearnerData, LearnerUpdate
from quiz_api.schemas import INVALID, LearnerCreate, LearnerCreated, Problem

router = APIRouter(tags=["learners"])

LearnerCode = Path(max_length=64, description="the learner code shown once at registration")


@router.post("/learners", status_code=201, response_model=LearnerCreated,
             responses={422: INVALID})
def create_learner(body: LearnerCreate, request: Request, db: WriteDB, settings: SettingsDep) -> LearnerCreated:
    """Register a learner who consented; the learner code in the answer is shown only once. With a
    `class_code`, the learner joins that class too (a mistyped, unknown or closed code: nothing stored)."""
    request.state.lang = body.lang
    profile = learners.clean_profile(full_name=body.full_name, group=body.group, unit_code=body.unit_code,
                                     organisation=body.organisation, email=body.email, phone=body.phone)
    found = None
    if body.class_code:  # checked first: a wrong class code stores nothing (one transaction)
        found = request.app.state.code_limiter.guard(request, lambda: classes.find_open(db=db, code=body.class_code))
    learner, code = learners.create(db=db, profile=profile, consent=body.consent,
                                    consent_version=settings.consent_version)
    if found is not None:
        classes.join(db=db, training_class=found, learner_id=learner.id)
    return LearnerCreated(learner_code=code, class_code=found.code if found is not None else None)


@router.get("/learners/{learner_code}/data", response_model=LearnerData,
            responses={404: {"model": Problem}, 429: {"model": Problem}})
def learner_data(request: Request, db: WriteDB, banks: BanksDep, settings: SettingsDep, lang: LangDep,
                 learner_code: str = LearnerCode) -> dict:
    """Everything stored about the learner (right of access and to a copy): profile, consent
    record, attempts with answers and scores, certificates."""
    learner = find_learner(request, db, learner_code)
    learners.touch(db=db, learner_id=learner.id)
    export = learners.export(db=db, learner_id=learner.id)
    return data_document(export, banks=banks, settings=settings, lang=lang)


@router.patch("/learners/{learner_code}", response_model=LearnerData,
              responses={404: {"model": Problem}, 422: INVALID, 429: {"model": Problem}})
def correct_learner(body: LearnerUpdate, request: Request, db: WriteDB, banks: BanksDep,
                    settings: SettingsDep, lang: LangDep, learner_code: str = LearnerCode) -> dict:
    """Correct name, unit or the optional fields (right to rectification); answers the data as stored now."""
    lang = body.lang or lang
    request.state.lang = lang
    learner = find_learner(request, db, learner_code)
    changes = body.model_dump(exclude_unset=True, exclude={"lang"})
    learners.correct(db=db, learner_id=learner.id, changes=changes)
    export = learners.export(db=db, learner_id=learner.id)
    return data_document(export, banks=banks, settings=settings, lang=lang)


@router.delete("/learners/{learner_code}", response_model=Erasure,
               responses={404: {"model": Problem}, 429: {"model": Problem}})
def erase_learner(request: Request, db: WriteDB, lang: LangDep, learner_code: str = LearnerCode) -> dict:
    """Erase the learner's personal data for good, in one transaction (also how consent is
    withdrawn). Group, unit and scores stay, anonymous, for the statistics; certificates then
    verify as "holder erased their data". Erasing again answers `erased: false`, not an error."""
    request.state.lang = lang
    try:
        learner = find_learner(request, db, learner_code)
    except NotFound as exc:
        if exc.key != "unknown_learner":
            raise
        return {"erased": False, "code": "nothing_to_erase", "detail": t("nothing_to_erase", lang)}
    learners.erase(db=db, learner_id=learner.id)
    return {"erased": True, "code": "learner_erased", "detail": t("learner_erased", lang)}
