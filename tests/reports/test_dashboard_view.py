"""The dashboard's view model, from hand-made figures (no database, no request): what each organiser
is offered, the targets table and charts, the messages and links in the page's language."""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

from quiz_api.errors import NotFound
from quiz_api.labels import t
from quiz_api.organisers.service import Principal
from quiz_api.reports import dashboard, registry
from quiz_api.reports.filters import Filters
from quiz_api.reports.formats import Suppressed
from quiz_api.reports.service import AnnualRow, Totals

ADMIN = Principal(1, "admin1", "admin", frozenset())
UNIT = Principal(2, "longan", "unit", frozenset({"TN-P-long-an"}))
BANKS = {"mau-thu": SimpleNamespace(title={"vi": "Học phần mẫu", "en": "Sample module"})}
CHOSEN = Filters(2026, group="citizen")


def figures(**changes) -> dashboard.Figures:
    base = dashboard.Figures(
        years=[2026, 2025], unit_options=[], totals=Totals(12, 15, 9, 9),
        modules=[("mau-thu", 12, 9, 0.75), ("khac", Suppressed(5), Suppressed(5), None)],
        months=[(m, 3 if m == 1 else 0, 2 if m == 1 else 0) for m in range(1, 13)],
        annual_rows=[AnnualRow("A", "Xã A", "citizen", "mau-thu", 10, 0.5, 5, 6, 6),
                     AnnualRow("A", "Xã A", "citizen", "khac", 10, 0.5, 5, 2, 2),
                     AnnualRow("B", "Xã B", "citizen", "mau-thu", 8, 1.0, 8, 3, 3)],
        annual_totals=[AnnualRow("*", "", "citizen", "mau-thu", 18, 13 / 18, 13, 9, 9),
                       AnnualRow("*", "", "*", "*", 28, 18 / 28, 18, 11, 11)],
        no_targets=None, flagged=[], class_figures=(1, 6, 4), suppressed=False, is_demo=False)
    return replace(base, **changes)


def test_admins_are_offered_every_report_and_unit_organisers_all_but_the_admin_only_ones():
    for who in (ADMIN, UNIT):
        page = dashboard.view(figures(), who=who, chosen=CHOSEN, banks=BANKS, lang="vi", threshold=5)
        offered = [d.kind for d in page.downloads]
        assert offered == [k for k, r in registry.REPORTS.items() if who.is_admin or not r.admin_only]
        for d in page.downloads:
            assert d.label == t(f"report.{d.kind}", "vi")
            assert [fmt for fmt, _ in d.links] == [f for f in registry.FILE_FORMATS if f in registry.REPORTS[d.kind].formats]
            assert all(href == f"/organiser/download/{d.kind}?year=2026&group=citizen&format={fmt}"
                       for fmt, href in d.links)
    assert "questions" not in [d.kind for d in dashboard.view(figures(), who=UNIT, chosen=CHOSEN, banks=BANKS,
                                                              lang="vi", threshold=5).downloads]


def test_the_targets_table_sums_modules_per_unit_and_group_and_keeps_the_totals():
    page = dashboard.view(figures(), who=ADMIN, chosen=CHOSEN, banks=BANKS, lang="en", threshold=5)
    by_unit = {r[0]: r for r in page.unit_rows}
    assert (by_unit["A"][4], by_unit["A"][6], by_unit["A"][7]) == (20, 10, 8)  # headcount, target, trained
    assert by_unit["A"][10] == "Missed" and by_unit["A"][11] == 2
    assert [r[2] for r in page.total_table] == ["citizen", "*"]
    assert "Sample module" in str(page.target_chart) and "Citizens" in str(page.target_chart)


def test_a_year_without_targets_says_so_in_the_page_language():
    page = dashboard.view(figures(annual_rows=[], annual_totals=[], no_targets=NotFound("no_targets", year=2026)),
                          who=ADMIN, chosen=CHOSEN, banks=BANKS, lang="en", threshold=5)
    assert page.no_targets == t("no_targets", "en", year=2026) and "2026" in page.no_targets
    assert page.unit_rows == [] and page.total_table == []


def test_the_charts_and_labels_follow_the_figures():
    page = dashboard.view(figures(), who=ADMIN, chosen=CHOSEN, banks=BANKS, lang="vi", threshold=5)
    assert len(page.month_labels) == 12
    assert "Học phần mẫu" in str(page.module_chart) and "75%" in str(page.module_chart)
    assert "&lt;5" in str(page.module_chart)  # a hidden count stays hidden in the chart
    assert page.title("mau-thu") == "Học phần mẫu" and page.title("khac") == "khac"
    assert page.lang_switch_url == "/organiser?year=2026&group=citizen&lang=en"
    english = dashboard.view(figures(), who=ADMIN, chosen=CHOSEN, banks=BANKS, lang="en", threshold=5)
    assert english.lang_switch_url == "/organiser?year=2026&group=citizen"
    assert english.downloads[0].links[0][1].endswith("group=citizen&lang=en&format=csv")


def test_the_template_gets_every_field_and_the_number_formatters():
    page = dashboard.view(figures(), who=ADMIN, chosen=CHOSEN, banks=BANKS, lang="vi", threshold=5)
    context = page.context()
    assert {"downloads", "unit_rows", "total_table", "module_chart", "filters", "who"} <= set(context)
    assert context["num"](12345) == "12.345" and context["pct"](0.5) == "50%"
    assert context["num"](Suppressed(5)) == "<5" and context["pct"](None) == "—"


def test_a_row_report_states_its_rows_from_the_figures_shown_and_the_others_state_none():
    page = dashboard.view(figures(modules=[("mau-thu", 12, 9, 0.75), ("khac", 7, 2, 2 / 7)]), who=ADMIN,
                          chosen=CHOSEN, banks=BANKS, lang="vi", threshold=5)
    rows = {d.kind: d.rows for d in page.downloads}
    assert rows["attempts"] == 15  # the totals' attempts
    assert rows["completions"] == 19  # each module's learners, once per module
    assert {k for k, n in rows.items() if n is not None} == {"attempts", "completions"}


def test_a_row_count_the_page_hides_or_that_would_give_a_hidden_cell_away_is_not_stated():
    page = dashboard.view(figures(totals=Totals(Suppressed(5), Suppressed(5), Suppressed(5), 0)), who=UNIT,
                          chosen=CHOSEN, banks=BANKS, lang="vi", threshold=5)
    # 12 learners at one module and a hidden few at another: their sum would tell the few
    assert {d.kind: d.rows for d in page.downloads} == {"summary": None, "annual": None, "completions": None,
                                                        "attempts": None}
    shown = dashboard.view(figures(modules=[("mau-thu", 12, Suppressed(5), None)]), who=UNIT, chosen=CHOSEN,
                           banks=BANKS, lang="vi", threshold=5)
    assert {d.kind: d.rows for d in shown.downloads}["completions"] == 12  # a hidden pass count is no matter


def test_a_year_without_attempts_states_zero_rows():
    page = dashboard.view(figures(totals=Totals(0, 0, 0, 0), modules=[]), who=UNIT, chosen=CHOSEN, banks=BANKS,
                          lang="en", threshold=5)
    assert {d.kind: d.rows for d in page.downloads}["completions"] == 0
    assert t("dashboard.download_rows", "en", rows=page.context()["num"](1234567)) == "rows: 1.234.567"
    assert t("dashboard.download_rows", "vi", rows=page.context()["num"](1234567)) == "1.234.567 dòng"
