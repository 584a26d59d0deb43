from __future__ import annotations

from fastapi import APIRouter

from quiz_api.deps import ReadDB
from quiz_api.schemas import UnitPublic
from quiz_api.strictjson import StrictJSONRoute
from quiz_api.units import service as units

router = APIRouter(route_class=StrictJSONRoute, tags=["units"])


@router.get("/units", response_model=list[UnitPublic])
def list_units(db: ReadDB) -> list[UnitPublic]:
    """The unit tree a learner picks from (province, agencies, communes and wards)."""
    return [UnitPublic(code=u.code, name=u.name, kind=u.kind, parent_code=u.parent_code)
            for u in units.list_units(db=db)]
