"""Learners: register with explicit consent (the learner's rights over the data are privacy/).

Registration is on every class day's hot path (each learner registers, then starts at once), so
its one write is a group-commit job like a start's (db.py): checks, the new code and its hash are
made first, in the request; the writer's batch then runs the unit check and the INSERT with the
starts and submissions queued beside it, one commit for all. In its own transaction it queued for
SQLite's write lock against the writer (bench/burst_bench.py --register: 2,000 learners arriving
in 10 s got 503s and minute-long waits).
"""

from __future__ import annotations

from functools import partial
from typing import Any

import orjson
from fastapi import APIRouter, Request, Response
from sqlalchemy.engine import Connection

from quiz_api.learners import service as learners
from quiz_api.schemas import INVALID, LearnerCreate, LearnerCreated, Problem
from quiz_api.strictjson import StrictJSONRoute

router = APIRouter(route_class=StrictJSONRoute, tags=["learners"])


@router.post("/learners", status_code=201, response_model=LearnerCreated,
             responses={404: {"model": Problem}, 410: {"model": Problem}, 422: INVALID, 429: {"model": Problem}})
async def create_learner(body: LearnerCreate, request: Request) -> Response:
    """Register a learner who consented; the learner code in the answer is shown only once. With a
    `class_code`, the learner joins that class too (a mistyped, unknown or closed code: nothing stored)."""
    request.state.lang = body.lang
    state = request.app.state
    profile = learners.clean_profile(full_name=body.full_name, group=body.group, unit_code=body.unit_code,
                                     organisation=body.organisation, email=body.email, phone=body.phone)
    registration = learners.new_registration(profile=profile, consent=body.consent,
                                             consent_version=state.settings.consent_version)
    # With a class code, the learner joins that class in the same job: checked first, so a mistyped,
    # unknown or closed code stores nothing. main.py wires the classes domain in (state.open_class):
    # learners, below classes, does not import it.
    joining = state.open_class(request, body.class_code) if body.class_code else None
    await state.database.writer(partial(_register, registration=registration, joining=joining))
    # The answer as attempts/router.py sends its own: serialised once, not validated again.
    return Response(orjson.dumps({"learner_code": registration.code,
                                  "class_code": joining.code if joining is not None else None}),
                    status_code=201, media_type="application/json")


def _register(conn: Connection, *, registration: learners.Registration, joining: Any) -> int:
    learner_id = learners.store(conn, registration=registration)
    if joining is not None:
        joining.join(conn, learner_id)
    return learner_id
