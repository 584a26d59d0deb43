"""The JSON API under /api/v1: every domain router in one place."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import text

from quiz_api.attempts.router import router as attempts_router
from quiz_api.banks.router import router as modules_router
from quiz_api.certificates.router import router as certificates_router
from quiz_api.classes.router import router as classes_router
from quiz_api.deps import DatabaseDep
from quiz_api.learners.router import router as learners_router
from quiz_api.organisers.router import router as auth_router
from quiz_api.privacy.router import router as privacy_router
from quiz_api.reports.router import router as reports_router
from quiz_api.schemas import Status
from quiz_api.strictjson import StrictJSONRoute
from quiz_api.units.router import router as units_router

api_router = APIRouter(prefix="/api/v1", route_class=StrictJSONRoute)


@api_router.get("/health/live", response_model=Status, tags=["health"])
async def live() -> dict:
    """Liveness: answers without touching the database."""
    return {"status": "ok"}


@api_router.get("/health", response_model=Status, tags=["health"])
def ready(database: DatabaseDep) -> dict:
    """Readiness: ok when the database answers."""
    with database.engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    return {"status": "ok"}


for router in (modules_router, units_router, learners_router, privacy_router, attempts_router,
               certificates_router):
    api_router.include_router(router)
api_router.include_router(auth_router)
api_router.include_router(reports_router)
api_router.include_router(classes_router)
