from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from quiz_api.banks.deps import BanksDep
from quiz_api.banks.loader import lesson_url
from quiz_api.schemas import Lang, ModulePublic
from quiz_api.strictjson import StrictJSONRoute

router = APIRouter(route_class=StrictJSONRoute, tags=["modules"])


@router.get("/modules", response_model=list[ModulePublic])
def list_modules(banks: BanksDep, lang: Annotated[Lang, Query()] = "vi") -> list[ModulePublic]:
    """The quiz modules with their lesson pages, in the chosen language."""
    return [
        ModulePublic(
            id=b.id, title=b.title[lang], pass_mark=b.pass_mark, questions_per_attempt=b.questions_per_attempt,
            question_count=len(b.questions), lesson_url=lesson_url(b.overview_page, lang),
            quiz_url=f"/quiz/{b.id}" + ("?lang=en" if lang == "en" else ""),
        )
        for b in banks.values()
    ]
