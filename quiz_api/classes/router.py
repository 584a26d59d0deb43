"""Classes API: organisers schedule, follow and close classes (bearer token); a learner joins one
with their learner code. The sheet is also an XLSX download."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from quiz_api.banks import Bank
from quiz_api.banks.deps import BanksDep
from quiz_api.classes import service as classes
from quiz_api.classes import sheets
from quiz_api.classes.models import ClassMember, TrainingClass
from quiz_api.classes.schemas import ClassCreate, ClassProgress, ClassPublic, JoinBody, Joined
from quiz_api.deps import LangDep, ReadDB, SettingsDep, WriteDB
from quiz_api.labels import t
from quiz_api.learners.deps import find_learner
from quiz_api.localtime import to_local
from quiz_api.organisers.deps import CurrentOrganiser
from quiz_api.schemas import INVALID, Problem
from quiz_api.strictjson import StrictJSONRoute
from quiz_api.units.models import Unit

router = APIRouter(prefix="/classes", route_class=StrictJSONRoute, tags=["classes"])
ClassCode = Path(max_length=40, description="the class's join code, e.g. 7KQ2-M9X")
ORGANISER = {401: {"model": Problem}, 403: {"model": Problem}, 404: {"model": Problem}}


def join_url(public_url: str, code: str) -> str:
    """Where the join sheet's QR code leads: the class's registration page."""
    return f"{public_url.rstrip('/')}/lop/{code}"


def public(c: TrainingClass, *, db: Session, public_url: str, lang: str, members: int | None = None,
           warnings: list[str] | None = None) -> dict[str, Any]:
    unit = db.get(Unit, c.unit_code)
    if members is None:
        members = db.scalar(select(func.count()).select_from(ClassMember).where(ClassMember.class_id == c.id)) or 0
    return {
        "code": c.code, "title": c.title, "starts_at": c.starts_at,
        "starts_at_local": to_local(c.starts_at).isoformat(timespec="minutes"), "place": c.place,
        "unit_code": c.unit_code, "unit_name": unit.name if unit else "", "trainer_name": c.trainer_name,
        "modules": classes.module_ids(db=db, class_id=c.id), "expected_headcount": c.expected_headcount,
        "closed": c.closed_at is not None, "members": members, "join_url": join_url(public_url, c.code),
        "warnings": [{"code": w, "detail": t(w, lang)} for w in warnings or []],
    }


@router.post("", status_code=201, response_model=ClassPublic, responses={**ORGANISER, 422: INVALID})
def create_class(body: ClassCreate, request: Request, who: CurrentOrganiser, db: WriteDB, banks: BanksDep,
                 settings: SettingsDep, lang: LangDep) -> dict:
    """Schedule a class for one of your units. A start in the past is accepted with a warning
    (`class_in_past`); more than a year ahead is refused."""
    lang = body.lang or lang
    request.state.lang = lang
    created, warnings = classes.create(db=db, who=who, known_modules=set(banks), data=classes.ClassIn(
        title=body.title, starts_at=body.starts_at, place=body.place, unit_code=body.unit_code,
        module_ids=body.modules, trainer_name=body.trainer_name, expected_headcount=body.expected_headcount))
    return public(created, db=db, public_url=settings.public_url, lang=lang, members=0, warnings=warnings)


@router.get("", response_model=list[ClassPublic], responses={401: {"model": Problem}})
def list_classes(who: CurrentOrganiser, db: ReadDB, settings: SettingsDep, lang: LangDep,
                 year: Annotated[int | None, Query(ge=2000, le=2100)] = None) -> list[dict]:
    """Your units' classes, newest first (year: the local calendar year of the class)."""
    return [public(r.training_class, db=db, public_url=settings.public_url, lang=lang, members=r.members)
            for r in classes.list_for(db=db, who=who, year=year)]


def progress_document(progress: classes.Progress, *, db: Session, public_url: str, lang: str) -> dict:
    return {
        "class": public(progress.training_class, db=db, public_url=public_url, lang=lang,
                        members=len(progress.members)),
        "counts": [vars(c) for c in progress.counts],
        "members": [{"full_name": m.full_name, "unit_code": m.unit_code, "unit_name": m.unit_name,
                     "group": m.group, "joined_at": m.joined_at,
                     "results": [{"module_id": k, **vars(r)} for k, r in m.results.items()]}
                    for m in progress.listed],
        "erased_members": progress.erased_count,
    }


@router.get("/{code}", response_model=ClassProgress, response_model_by_alias=True, responses=ORGANISER)
def class_progress(who: CurrentOrganiser, db: ReadDB, settings: SettingsDep, lang: LangDep,
                   code: str = ClassCode) -> dict:
    """Who joined, started, submitted and passed each module, with counts (your units' classes only)."""
    found = classes.get_for(db=db, who=who, code=code)
    return progress_document(classes.progress(db=db, training_class=found), db=db,
                             public_url=settings.public_url, lang=lang)


@router.get("/{code}/sheet", responses={**ORGANISER, 200: {"content": {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {"schema": {"type": "string",
                                                                                    "format": "binary"}}}}})
def class_sheet(who: CurrentOrganiser, db: WriteDB, banks: BanksDep, lang: LangDep, code: str = ClassCode,
                format: Annotated[Literal["xlsx"], Query()] = "xlsx") -> Response:
    """The attendance and results sheet as XLSX (names, unit, group, modules passed, scores,
    certificates); every download is in the audit log."""
    found = classes.get_for(db=db, who=who, code=code)
    progress = classes.progress(db=db, training_class=found)
    classes.record_sheet(db=db, who=who, progress=progress, fmt="xlsx")
    return xlsx_response(progress, banks, lang)


def xlsx_response(progress: classes.Progress, banks: dict[str, Bank], lang: str) -> Response:
    name = f"{t('class_sheet_file', lang)}-{progress.training_class.code}.xlsx"
    return Response(sheets.xlsx(progress, banks, lang), media_type=(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}", "Cache-Control": "no-store"})


@router.post("/{code}/close", response_model=ClassPublic, responses=ORGANISER)
def close_class(who: CurrentOrganiser, db: WriteDB, settings: SettingsDep, lang: LangDep,
                code: str = ClassCode) -> dict:
    """Close the class: no one can join it any more (those who joined keep learning)."""
    found = classes.set_closed(db=db, who=who, code=code, closed=True)
    return public(found, db=db, public_url=settings.public_url, lang=lang)


@router.post("/{code}/reopen", response_model=ClassPublic, responses=ORGANISER)
def reopen_class(who: CurrentOrganiser, db: WriteDB, settings: SettingsDep, lang: LangDep,
                 code: str = ClassCode) -> dict:
    """Open a closed class again."""
    found = classes.set_closed(db=db, who=who, code=code, closed=False)
    return public(found, db=db, public_url=settings.public_url, lang=lang)


@router.post("/{code}/join", response_model=Joined, response_model_by_alias=True,
             responses={404: {"model": Problem}, 410: {"model": Problem}, 429: {"model": Problem}})
def join_class(body: JoinBody, request: Request, db: WriteDB, settings: SettingsDep, lang: LangDep,
               code: str = ClassCode) -> dict:
    """Join a class with your learner code. Joining again changes nothing (`joined: false`); a
    mistyped, unknown or closed class code gets a clear error. Wrong codes count as guesses."""
    lang = body.lang or lang
    request.state.lang = lang
    found = request.app.state.code_limiter.guard(request, lambda: classes.find_open(db=db, code=code))
    learner = find_learner(request, db, body.learner_code)
    joined = classes.join(db=db, training_class=found, learner_id=learner.id)
    return {"joined": joined, "class": public(found, db=db, public_url=settings.public_url, lang=lang)}
