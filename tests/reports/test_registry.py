"""The report registry is the one description of each report: every report it holds is served by the
API and the dashboard's buttons in each format it declares (and no other), offered on the dashboard
to the right organisers, a choice of `kynangso export`, and listed in the API document with its
formats as an enum; the filters are checked once, from the declared parameters."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from quiz_api.errors import Forbidden, Invalid
from quiz_api.labels import MESSAGES
from quiz_api.organisers.service import Principal
from quiz_api.reports import filters, registry, service
from quiz_api.reports.filters import Filters
from quiz_api.reports.registry import FILE_FORMATS, REPORTS
from tests.organisers.helpers import bearer, make_organiser, web_login
from tests.reports import data

MINE = "TN-P-long-an"
YEAR = 2026
ADMIN = Principal(1, "admin1", "admin", frozenset())
UNIT = Principal(2, "longan", "unit", frozenset({MINE}))
KEYS = list(REPORTS)
UNDECLARED = [(key, fmt) for key, r in REPORTS.items() for fmt in FILE_FORMATS if fmt not in r.formats]


@pytest.fixture
def province(client, database):
    """An admin, a commune organiser, six learners who passed in YEAR and a target for YEAR."""
    make_organiser(database, "admin1", admin=True)
    make_organiser(database, "longan", units=(MINE,))
    with database.writing() as db:
        for i in range(6):
            data.attempt(db, data.learner(db, unit=MINE, name=f"Người {i}"),
                         answers=[("mau-001", True), ("mau-002", i % 2 == 0)])
        data.target(db, year=YEAR, unit=MINE, headcount=10, share=0.5)


@pytest.fixture
def cli_env(app, monkeypatch):
    from quiz_api.config import get_settings

    monkeypatch.setenv("KYNANGSO_DATABASE_URL", app.state.settings.database_url)
    monkeypatch.setenv("KYNANGSO_BANKS_DIR", str(app.state.settings.banks_dir))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def assert_is_a(fmt: str, response) -> None:
    """The body is a file of that format, with its media type."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(FILE_FORMATS[fmt].bare_media_type)
    body = response.content
    if FILE_FORMATS[fmt].binary:
        assert zipfile.ZipFile(io.BytesIO(body)).namelist()  # XLSX and DOCX are zip containers
    elif fmt == "json":
        json.loads(body)
    elif fmt == "jsonl":
        assert [json.loads(line) for line in body.decode().splitlines()]
    else:
        assert body.startswith(b"\xef\xbb\xbf") and body.count(b"\r\n") >= 2  # a header and rows


# --- the description itself ------------------------------------------------------------------------

def test_every_report_has_its_title_and_sheet_and_column_headers_in_the_catalogue():
    for r in REPORTS.values():
        assert r.title in MESSAGES, r.key
        if "xlsx" in r.formats:
            assert r.sheet in MESSAGES, r.key
        for column in r.columns:
            assert f"column.{column.report}.{column.key}" in MESSAGES, (r.key, column.key)


def test_the_row_readers_stream_the_columns_the_registry_declares():
    """service.py keeps its own table of row queries (its readers choose a query by key): it must
    describe the same reports, with the same columns."""
    rows = {k for k, r in REPORTS.items() if r.source == "rows"}
    assert rows == set(service.ROW_COLUMNS)
    for key in rows:
        assert REPORTS[key].columns == tuple(service.ROW_COLUMNS[key])


def test_each_format_has_one_media_type_and_each_report_a_default_it_offers():
    assert set(FILE_FORMATS) == set(registry.Format.__args__)
    for r in REPORTS.values():
        assert r.api_format in r.formats and r.formats[0] in r.formats
        assert (r.source == "statements") == (not r.columns)


def test_the_access_check_names_what_is_wrong():
    assert registry.check("summary", "csv", UNIT) is REPORTS["summary"]
    assert registry.check("xapi", "jsonl", None) is REPORTS["xapi"]  # the operator at the terminal
    with pytest.raises(Invalid) as unknown:
        registry.check("payroll", "csv", ADMIN)
    assert unknown.value.key == "bad_filter" and "summary" in unknown.value.params["reason"]
    with pytest.raises(Forbidden):
        registry.check("questions", "csv", UNIT)
    with pytest.raises(Invalid) as fmt:
        registry.check("xapi", "csv", ADMIN)
    assert fmt.value.key == "bad_format" and fmt.value.params["allowed"] == "jsonl, json"


# --- served in every declared format ----------------------------------------------------------------

@pytest.mark.parametrize("key", KEYS)
def test_every_report_is_served_by_the_api_in_each_format_it_declares(client, province, key):
    headers = bearer(client, "admin1")
    for fmt in REPORTS[key].formats:
        assert_is_a(fmt, client.get(f"/api/v1/reports/{key}?format={fmt}&year={YEAR}", headers=headers))
    default = client.get(f"/api/v1/reports/{key}?year={YEAR}", headers=headers)
    assert default.headers["content-type"].startswith(FILE_FORMATS[REPORTS[key].api_format].bare_media_type)


@pytest.mark.parametrize("key", KEYS)
def test_every_report_is_served_by_the_download_buttons_in_each_format_it_declares(client, province, key):
    web_login(client, "admin1")
    for fmt in REPORTS[key].formats:
        response = client.get(f"/organiser/download/{key}?format={fmt}&year={YEAR}")
        assert_is_a(fmt, response)
        assert response.headers["content-disposition"].startswith("attachment")
    default = client.get(f"/organiser/download/{key}?year={YEAR}")
    assert default.headers["content-type"].startswith(FILE_FORMATS[REPORTS[key].formats[0]].bare_media_type)


@pytest.mark.parametrize(("key", "fmt"), UNDECLARED)
def test_a_format_a_report_does_not_declare_gets_a_clear_422(client, province, key, fmt):
    api = client.get(f"/api/v1/reports/{key}?format={fmt}&year={YEAR}", headers=bearer(client, "admin1"))
    assert api.status_code == 422, api.text
    web_login(client, "admin1")
    button = client.get(f"/organiser/download/{key}?format={fmt}&year={YEAR}")
    assert button.status_code == 422 and ", ".join(REPORTS[key].formats) in button.text


def test_an_unknown_report_or_format_is_a_4xx_never_a_500(client, province):
    headers = bearer(client, "admin1")
    assert client.get("/api/v1/reports/payroll", headers=headers).status_code == 404
    assert client.get("/api/v1/reports/summary?format=pdf", headers=headers).status_code == 422
    assert client.get("/api/v1/reports/summary?format=", headers=headers).status_code == 422
    web_login(client, "admin1")
    assert client.get("/organiser/download/payroll?format=csv").status_code == 404
    assert client.get("/organiser/download/summary?format=pdf").status_code == 422
    assert client.get("/organiser/download/summary?format=%00").status_code == 422


def test_a_class_filters_only_the_row_reports(client, province):
    headers = bearer(client, "admin1")
    web_login(client, "admin1")
    for key, r in REPORTS.items():
        api = client.get(f"/api/v1/reports/{key}?class=NOPE-0000", headers=headers)
        button = client.get(f"/organiser/download/{key}?class=NOPE-0000")
        if r.class_filter:  # a class that does not exist: a bad filter value
            assert api.status_code == 422 and api.json()["code"] == "bad_filter", key
            assert button.status_code == 422, key
        else:  # not a filter of this report at all
            assert api.status_code == 422 and api.json()["code"] == "unknown_filter", key
            assert button.status_code == 422, key


# --- the dashboard, the CLI, the API document ------------------------------------------------------

def test_the_dashboard_offers_each_report_in_each_format_to_the_organisers_who_may_read_it(client, province):
    for who in ("admin1", "longan"):
        client.cookies.clear()
        web_login(client, who)
        page = client.get(f"/organiser?year={YEAR}").text
        for key, r in REPORTS.items():
            shown = f'href="/organiser/download/{key}?' in page
            assert shown == (who == "admin1" or not r.admin_only), (who, key)
            for fmt in FILE_FORMATS:
                link = f'href="/organiser/download/{key}?year={YEAR}&amp;format={fmt}"'
                assert (link in page) == (shown and fmt in r.formats), (who, key, fmt)


def test_every_report_is_a_choice_of_kynangso_export_with_its_formats():
    from quiz_api.cli import build_parser

    parser = build_parser()
    for key, r in REPORTS.items():
        for fmt in r.formats:
            args = parser.parse_args(["export", key, "--format", fmt, "-o", "-"])
            assert (args.kind, args.format) == (key, fmt)
    with pytest.raises(SystemExit):
        parser.parse_args(["export", "payroll", "-o", "-"])
    annual = parser.parse_args(["report", "annual", "--year", "2026"])  # the Word document's shortcut
    assert annual.format == "docx" and annual.format in REPORTS["annual"].formats


@pytest.mark.parametrize(("key", "fmt"), [(k, f) for k, f in UNDECLARED if f != "docx"][:3] + [("xapi", None)])
def test_kynangso_export_refuses_an_undeclared_format_and_defaults_to_the_first_declared(
        client, province, cli_env, tmp_path, capsys, key, fmt):
    from quiz_api.cli import main

    out = tmp_path / "out"
    if fmt is None:  # no --format: the report's first format
        assert main(["export", key, "-o", str(out)]) == 0
        assert json.loads(out.read_text().splitlines()[0])  # xAPI: JSON Lines
        return
    assert main(["export", key, "--format", fmt, "-o", str(out)]) == 2
    assert fmt in capsys.readouterr().err and not out.exists()


def test_the_api_document_lists_every_report_with_its_formats_as_an_enum(client):
    spec = client.get("/api/openapi.json").json()
    paths = {p for p in spec["paths"] if p.startswith("/api/v1/reports/")}
    assert paths == {f"/api/v1/reports/{key}" for key in REPORTS}
    for key, r in REPORTS.items():
        op = spec["paths"][f"/api/v1/reports/{key}"]["get"]
        params = {p["name"]: p for p in op["parameters"]}
        assert set(params) == {"year", "module", "group", "unit", "format", "lang"} | ({"class"} if r.class_filter
                                                                                       else set())
        assert params["format"]["schema"]["enum"] == list(r.formats)
        assert params["format"]["schema"]["default"] == r.api_format
        assert set(op["responses"]["200"]["content"]) == {FILE_FORMATS[f].bare_media_type for f in r.formats}
        assert ("404" in op["responses"]) == r.needs_year
        assert op["description"] == r.doc


# --- the filters, checked once -------------------------------------------------------------------

def test_the_filters_read_the_same_from_typed_values_and_from_text():
    typed = filters.checked(year=2026, module="mau-thu", group="citizen", unit=MINE, known_modules={"mau-thu"})
    text = filters.checked(year=" 2026 ", module="mau-thu", group="citizen", unit=MINE, known_modules={"mau-thu"})
    assert typed == text == Filters(2026, "mau-thu", "citizen", MINE)
    assert filters.checked(year="", module="", group="", unit="") == Filters()  # a form's "all"
    assert filters.parse({"year": "2026", "module": "mau-thu", "group": "citizen", "unit": MINE},
                         known_modules={"mau-thu"}) == typed
    for bad in ({"year": 1999}, {"year": "20x6"}, {"group": "aliens"}, {"module": "khac"}, {"unit": "A\x00"}):
        with pytest.raises(Invalid):
            filters.checked(known_modules={"mau-thu"}, **bad)
    with pytest.raises(Invalid) as unknown:
        filters.refuse_unknown(["year", "units"], with_class=False, allowed_extra=("format",))
    assert unknown.value.key == "unknown_filter" and unknown.value.params["names"] == "units"


def test_the_report_endpoints_read_their_filters_from_their_declared_parameters(client, province):
    """The dependency checks what the endpoint declares: the filters narrow the file and are echoed in it."""
    headers = bearer(client, "admin1")
    rows = client.get(f"/api/v1/reports/completions?unit={MINE}", headers=headers).json()["rows"]
    assert len(rows) == 6 and {r["unit_code"] for r in rows} == {MINE}
    assert client.get("/api/v1/reports/completions?unit=TN-S-so-y-te", headers=headers).json()["rows"] == []
    body = client.get(f"/api/v1/reports/summary?group=citizen&year={YEAR}&module=mau-thu", headers=headers).json()
    assert body["filters"] == {"year": YEAR, "module": "mau-thu", "group": "citizen"} and body["rows"] == []
