"""Open statistics: the public page /thong-ke (English: /en/statistics) and its data under CC BY 4.0:
two CSV files, one JSON document and a Frictionless Data `datapackage.json` describing them."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from quiz_api.banks import Bank
from quiz_api.db import utcnow
from quiz_api.errors import NotFound
from quiz_api.labels import GROUPS, pick_lang, t
from quiz_api.opendata import service
from quiz_api.opendata.service import LICENCE, Statistics
from quiz_api.pages import render
from quiz_api.profile import load_profile
from quiz_api.reports import charts
from quiz_api.reports.formats import Suppressed

router = APIRouter(include_in_schema=False)
FILES = {
    "thong-ke-don-vi.csv": ("by_unit", "text/csv; charset=utf-8"),
    "thong-ke-tinh.csv": ("province", "text/csv; charset=utf-8"),
    "thong-ke.json": ("json", "application/json"),
    "datapackage.json": ("datapackage", "application/json"),
}
LICENCE_LINK = f'<{LICENCE["path"]}>; rel="license"'


def _statistics(request: Request) -> Statistics:
    state = request.app.state
    cache = getattr(state, "open_statistics", None)
    if cache is None:
        cache = state.open_statistics = service.Cached()
    return cache.get(state.database.engine.connect, state.settings.suppression_threshold)


def _attribution(request: Request, lang: str) -> str:
    profile = load_profile(request.app.state.settings.profile_dir)
    return t("open_attribution", lang, programme=profile.programme_name(lang))


def _num(value: Any) -> str:
    if isinstance(value, Suppressed):
        return str(value)
    return f"{value:,}".replace(",", ".") if isinstance(value, int) else "—"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def _page(request: Request, lang: str) -> Response:
    stats = _statistics(request)
    banks: dict[str, Bank] = request.app.state.banks
    years = stats.years
    asked = request.query_params.get("year", "")
    year = int(asked) if asked.isdigit() and int(asked) in years else (years[0] if years else None)
    title = lambda m: banks[m].title[lang] if m in banks else m
    province = [c for c in stats.province if c.year == year]
    cells = [c for c in stats.by_unit if c.year == year]
    chart = charts.bar_chart(
        [charts.Bar(f"{GROUPS[c.group][lang]} · {title(c.module_id)}", c.pass_rate,
                    _pct(c.pass_rate) if c.pass_rate is not None else str(Suppressed(stats.threshold)))
         for c in province], title=t("open_chart_title", lang, year=year or ""), label_width=260)
    base = "/en/statistics" if lang == "en" else "/thong-ke"
    return render(request, "open_statistics.html", lang, L=lambda key, **p: t(key, lang, **p), year=year,
                  years=years, base=base, province=province, communes=[c for c in cells if c.unit_type == "commune"],
                  agencies=[c for c in cells if c.unit_type != "commune"], chart=chart, title=title, num=_num,
                  pct=_pct, threshold=stats.threshold, licence=LICENCE, attribution=_attribution(request, lang),
                  files=list(FILES), lang_switch=("/thong-ke" if lang == "en" else "/en/statistics")
                  + (f"?year={year}" if year else ""))


@router.get("/thong-ke")
def statistics_vi(request: Request, lang: str | None = None) -> Response:
    """The province's training figures, public; `?lang=en` for English."""
    return _page(request, pick_lang(lang))


@router.get("/en/statistics")
def statistics_en(request: Request) -> Response:
    return _page(request, "en")


def _csv(fields: list[dict[str, Any]], rows: list[dict[str, Any]], comment: str, threshold: int) -> bytes:
    """Plain UTF-8 CSV; one comment line names the licence (datapackage.json declares commentChar "#")."""
    buffer = io.StringIO()
    buffer.write(f"# {comment}\r\n")
    writer = csv.writer(buffer, lineterminator="\r\n")
    names = [f["name"] for f in fields]
    writer.writerow(names)
    hidden = f"<{threshold}"
    for row in rows:
        writer.writerow([hidden if row[n] is None and n in ("learners", "passed") else
                         ("" if row[n] is None else row[n]) for n in names])
    return buffer.getvalue().encode("utf-8")


def _datapackage(request: Request, stats: Statistics) -> dict[str, Any]:
    public = request.app.state.settings.public_url.rstrip("/")
    missing = ["", f"<{stats.threshold}"]

    def csv_resource(name: str, path: str, title: str, fields: list[dict[str, Any]]) -> dict[str, Any]:
        return {"name": name, "path": path, "title": title, "profile": "tabular-data-resource", "format": "csv",
                "mediatype": "text/csv", "encoding": "utf-8", "licenses": [LICENCE],
                "dialect": {"delimiter": ",", "header": True, "commentChar": "#", "lineTerminator": "\r\n"},
                "schema": {"fields": fields, "missingValues": missing,
                           "primaryKey": [f["name"] for f in fields if f["name"] in
                                          ("year", "unit_code", "group", "module_id")]}}

    return {
        "profile": "tabular-data-package",
        "name": "kynangso-training-statistics",
        "title": t("open_title", "en"),
        "description": t("open_package_description", "en", threshold=stats.threshold),
        "homepage": f"{public}/thong-ke",
        "licenses": [LICENCE],
        "sources": [{"title": _attribution(request, "en"), "path": f"{public}/thong-ke"}],
        "created": utcnow().replace(microsecond=0).isoformat() + "Z",
        "keywords": ["digital skills", "training", "kỹ năng số", "chuyển đổi số"],
        "resources": [
            csv_resource("training-by-unit", "thong-ke-don-vi.csv", t("open_by_unit", "en"), service.FIELDS_BY_UNIT),
            csv_resource("training-province", "thong-ke-tinh.csv", t("open_province", "en"), service.FIELDS_PROVINCE),
            {"name": "training-statistics-json", "path": "thong-ke.json", "format": "json",
             "mediatype": "application/json", "encoding": "utf-8", "licenses": [LICENCE],
             "title": t("open_json_title", "en")},
        ],
    }


@router.get("/thong-ke/{name}")
def statistics_file(request: Request, name: str) -> Response:
    """The data behind the page, under CC BY 4.0: by unit (CSV), province (CSV), both (JSON), and the
    Frictionless Data descriptor."""
    if name not in FILES:
        raise NotFound("not_found")
    kind, media_type = FILES[name]
    stats = _statistics(request)
    comment = t("open_csv_comment", "en", licence=LICENCE["title"], url=LICENCE["path"],
                attribution=_attribution(request, "en"))
    if kind == "by_unit":
        body = _csv(service.FIELDS_BY_UNIT, service.by_unit_rows(stats), comment, stats.threshold)
    elif kind == "province":
        body = _csv(service.FIELDS_PROVINCE, service.province_rows(stats), comment, stats.threshold)
    elif kind == "json":
        body = json.dumps({
            "title": t("open_title", "en"), "licence": LICENCE, "attribution": _attribution(request, "en"),
            "suppression": t("open_package_description", "en", threshold=stats.threshold),
            "suppression_threshold": stats.threshold,
            "by_unit": {"fields": service.FIELDS_BY_UNIT, "rows": service.by_unit_rows(stats)},
            "province": {"fields": service.FIELDS_PROVINCE, "rows": service.province_rows(stats)},
        }, ensure_ascii=False).encode("utf-8")
    else:
        body = json.dumps(_datapackage(request, stats), ensure_ascii=False, indent=2).encode("utf-8")
    return Response(body, media_type=media_type, headers={
        "Link": LICENCE_LINK, "Cache-Control": "public, max-age=600", "Access-Control-Allow-Origin": "*"})
