"""Quiz pages for people: register or sign in, start, answer, see the result."""

from __future__ import annotations

import json
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from quiz_api.attempts import service as attempts
from quiz_api.banks import lesson_url
from quiz_api.errors import DomainError, NotFound, TooSoon, Unanswered
from quiz_api.labels import pick_lang, t
from quiz_api.learners import service as learners
from quiz_api.learners.deps import cookie_learner, set_learner_cookie
from quiz_api.learners.models import Learner
from quiz_api.pages import check_csrf, render
from quiz_api.units import service as units

router = APIRouter(include_in_schema=False)
Lang = Annotated[str, Form()]


def _q(lang: str) -> str:
    return "?lang=en" if lang == "en" else ""


def _current_learner(request: Request) -> Learner | None:
    """The cookie's learner; over the guessing limit, the page shows the sign-up form instead."""
    try:
        return cookie_learner(request)
    except DomainError:
        return None


def _bank(request: Request, module_id: str):
    bank = request.app.state.banks.get(module_id)
    if bank is None:
        raise NotFound("unknown_module", module_id=module_id)
    return bank


def _start_page(request: Request, module_id: str, lang: str, status_code: int = 200, error: str | None = None,
                form: dict | None = None, new_code: str | None = None, learner: Learner | None = None) -> Response:
    bank = _bank(request, module_id)
    learner = learner or _current_learner(request)
    with request.app.state.database.reading() as db:
        unit_list = units.list_units(db=db)
    return render(request, "quiz_start.html", lang, status_code=status_code, bank=bank, learner=learner,
                  units=unit_list, error=error, form=form or {}, new_code=new_code,
                  overview_url=lesson_url(bank.overview_page, lang), profile=request.app.state.settings,
                  retention_months=request.app.state.settings.retention_days // 30)


@router.get("/quiz/{module_id}")
def quiz_start(request: Request, module_id: str, lang: str | None = None) -> Response:
    return _start_page(request, module_id, pick_lang(lang))


@router.post("/quiz/{module_id}/learner")
def quiz_register(
    request: Request, module_id: str, csrf_token: Annotated[str, Form()] = "", lang: Lang = "vi",
    full_name: Annotated[str, Form(max_length=300)] = "", group: Annotated[str, Form(max_length=40)] = "",
    unit_code: Annotated[str, Form(max_length=64)] = "", organisation: Annotated[str, Form(max_length=300)] = "",
    email: Annotated[str, Form(max_length=300)] = "", phone: Annotated[str, Form(max_length=40)] = "",
    consent: Annotated[str, Form(max_length=10)] = "", remember: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    lang = pick_lang(lang)
    check_csrf(request, csrf_token)
    form = {"full_name": full_name, "group": group, "unit_code": unit_code, "organisation": organisation,
            "email": email, "phone": phone}
    try:
        profile = learners.clean_profile(full_name=full_name, group=group, unit_code=unit_code,
                                         organisation=organisation, email=email, phone=phone)
        with request.app.state.database.writing() as db:
            learner, code = learners.create(db=db, profile=profile, consent=consent == "yes",
                                            consent_version=request.app.state.settings.consent_version)
    except DomainError as exc:
        return _start_page(request, module_id, lang, status_code=exc.status, form=form,
                           error=t(exc.key, lang, **exc.params))
    response = _start_page(request, module_id, lang, new_code=code, learner=learner)
    set_learner_cookie(request, response, code, remember=remember == "yes")
    return response


@router.post("/quiz/{module_id}/start")
async def quiz_begin(request: Request, module_id: str, csrf_token: Annotated[str, Form()] = "",
                     lang: Lang = "vi") -> Response:
    lang = pick_lang(lang)
    check_csrf(request, csrf_token)
    learner = await run_in_threadpool(_current_learner, request)
    if learner is None:
        return RedirectResponse(f"/quiz/{module_id}{_q(lang)}", status_code=303)
    state = request.app.state
    try:  # the API's writer call (attempts/router.py start_attempt)
        started = await state.database.writer(lambda conn: attempts.start(
            conn=conn, banks=state.banks, settings=state.quiz_settings, learner_id=learner.id, module_id=module_id,
            lang=lang))
    except DomainError as exc:  # e.g. the cooldown: say it on the quiz page, in the form's language
        response = await run_in_threadpool(_start_page, request, module_id, lang, status_code=exc.status,
                                           learner=learner, error=t(exc.key, lang, **exc.params))
        if isinstance(exc, TooSoon):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response
    return RedirectResponse(f"/quiz/attempt/{started['attempt_id']}", status_code=303)


@router.get("/quiz/attempt/{attempt_id}")
def quiz_attempt(request: Request, attempt_id: str) -> Response:
    return _attempt_page(request, attempt_id)


def _attempt_page(request: Request, attempt_id: str, chosen: dict[str, list[str]] | None = None,
                  unanswered: list[str] | None = None) -> Response:
    """The questions of an open attempt; after a submission with questions unanswered (422), with the
    answers given ticked and the others marked and listed at the top."""
    with request.app.state.database.reading() as db:
        row = attempts.load(conn=db.connection(), attempt_id=attempt_id[:64])
    if row.submitted_at is not None:
        return RedirectResponse(f"/quiz/attempt/{attempt_id}/result", status_code=303)
    bank = _bank(request, row.module_id)
    draw = [(qid, cids) for qid, cids in json.loads(row.draw)]
    questions = attempts.questions_payload(bank, draw, row.lang)
    missing = set(unanswered or ())
    return render(request, "quiz_attempt.html", row.lang, status_code=422 if missing else 200, bank=bank,
                  attempt=row, questions=questions, chosen=chosen or {}, missing_ids=missing,
                  unanswered=[(number, q["id"]) for number, q in enumerate(questions, 1) if q["id"] in missing])


@router.post("/quiz/attempt/{attempt_id}")
async def quiz_submit(request: Request, attempt_id: str) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    answers: dict[str, list[str]] = {}
    for key, value in form.multi_items():
        if key.startswith("q_") and isinstance(value, str):
            answers.setdefault(key[2:], []).append(value)
    state = request.app.state  # the API's writer call and job (attempts/router.py submit_attempt)
    try:
        await state.database.writer(partial(attempts.record, banks=state.banks, attempt_id=attempt_id[:64],
                                            answers=answers, allow_unanswered=form.get("allow_unanswered") == "yes"))
    except Unanswered as exc:  # nothing recorded: the same questions again, with what was ticked
        return await run_in_threadpool(_attempt_page, request, attempt_id, answers, exc.question_ids)
    return RedirectResponse(f"/quiz/attempt/{attempt_id}/result", status_code=303)


@router.get("/quiz/attempt/{attempt_id}/result")
def quiz_result(request: Request, attempt_id: str) -> Response:
    with request.app.state.database.reading() as db:
        row = attempts.load(conn=db.connection(), attempt_id=attempt_id[:64])
    if row.submitted_at is None:
        return RedirectResponse(f"/quiz/attempt/{attempt_id}", status_code=303)
    bank = _bank(request, row.module_id)
    result = attempts.stored_result(database=request.app.state.database, bank=bank, attempt_id=row.id,
                                    lang=row.lang)
    return render(request, "quiz_result.html", row.lang, bank=bank, result=result,
                  overview_url=lesson_url(bank.overview_page, row.lang))
