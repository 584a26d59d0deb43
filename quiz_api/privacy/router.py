"""The learner's own rights over the API, with their code: see, correct, erase."""

from __future__ import annotations

from fastapi import APIRouter, Path, Request, Response

from quiz_api.banks.deps import BanksDep
from quiz_api.deps import LangDep, SettingsDep, WriteDB
from quiz_api.errors import NotFound
from quiz_api.labels import t
from quiz_api.learners import service as learners
from quiz_api.learners.deps import find_learner
from quiz_api.privacy import service as privacy
from quiz_api.privacy.document import data_document
from quiz_api.privacy.schemas import Erasure, LearnerData, LearnerUpdate
from quiz_api.schemas import INVALID, Problem
from quiz_api.strictjson import StrictJSONRoute

router = APIRouter(route_class=StrictJSONRoute, tags=["learners"])

LearnerCode = Path(max_length=64, description="the learner code shown once at registration")


@router.get("/learners/{learner_code}/data", response_model=LearnerData,
            responses={404: {"model": Problem}, 429: {"model": Problem}})
def learner_data(request: Request, response: Response, db: WriteDB, banks: BanksDep, settings: SettingsDep,
                 lang: LangDep, learner_code: str = LearnerCode) -> dict:
    """Everything stored about the learner (right of access and to a copy): profile, consent
    record, attempts with answers and scores, certificates."""
    response.headers["Cache-Control"] = "no-store"  # personal data: in no cache, the browser's included
    learner = find_learner(request, db, learner_code)
    learners.touch(db=db, learner_id=learner.id)
    export = privacy.export(db=db, learner_id=learner.id)
    return data_document(export, banks=banks, settings=settings, lang=lang,
                         base_url=str(request.base_url))


@router.patch("/learners/{learner_code}", response_model=LearnerData,
              responses={404: {"model": Problem}, 422: INVALID, 429: {"model": Problem}})
def correct_learner(body: LearnerUpdate, request: Request, response: Response, db: WriteDB, banks: BanksDep,
                    settings: SettingsDep, lang: LangDep, learner_code: str = LearnerCode) -> dict:
    """Correct name, unit or the optional fields (right to rectification); answers the data as stored now."""
    response.headers["Cache-Control"] = "no-store"
    lang = body.lang or lang
    request.state.lang = lang
    learner = find_learner(request, db, learner_code)
    changes = body.model_dump(exclude_unset=True, exclude={"lang"})
    privacy.correct(db=db, learner_id=learner.id, changes=changes)
    export = privacy.export(db=db, learner_id=learner.id)
    return data_document(export, banks=banks, settings=settings, lang=lang,
                         base_url=str(request.base_url))


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
    privacy.erase(db=db, learner_id=learner.id)
    return {"erased": True, "code": "learner_erased", "detail": t("learner_erased", lang)}
