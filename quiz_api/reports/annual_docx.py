"""The yearly evaluation as an editable Word document: the annual assessment's own figures, laid out
as a Vietnamese administrative report (heading block, number and date left to fill in), with a
section per learner group, the table by unit, the units that missed their targets, the classes
held, and a chart drawn from the same figures.

Every count goes through the same small-cell suppression as the annual CSV/XLSX (annual_table),
because a Word file leaves the dashboard like any other aggregate file.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from quiz_api.banks import Bank
from quiz_api.classes import service as classes
from quiz_api.labels import GROUPS, t
from quiz_api.localtime import local_text, now_local
from quiz_api.profile import Profile
from quiz_api.reports import service, suppression
from quiz_api.reports.filters import Scope
from quiz_api.reports.formats import Suppressed

# Columns of service.annual_table's rows
UNIT, NAME, GROUP, MODULE, HEADCOUNT, SHARE, TARGET, TRAINED, IN_YEAR, RATE, STATUS, GAP = range(12)
FONT = "Times New Roman"  # what administrative documents here are typed in
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _num(value: Any) -> str:
    if isinstance(value, Suppressed):
        return str(value)
    return "—" if value is None else f"{value:,}".replace(",", ".")


def _pct(value: Any) -> str:
    if isinstance(value, Suppressed):
        return str(value)
    return "—" if value is None else f"{value * 100:.0f}%"


def _module(banks: dict[str, Bank], module_id: str, lang: str) -> str:
    bank = banks.get(module_id)
    return bank.title[lang] if bank else module_id


def chart_png(bars: Sequence[tuple[str, float | None, float]], *, title: str, hidden_text: str) -> bytes:
    """Horizontal bars: share trained (None: hidden) against the target share (a dashed mark), as PNG.
    Bars below target are red, as on the dashboard (charts.py)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt
    from matplotlib.figure import Figure

    plt.rcParams["font.family"] = "DejaVu Sans"  # bundled with matplotlib: every Vietnamese letter
    height = 0.8 + 0.45 * max(1, len(bars))
    fig = Figure(figsize=(7.0, height), dpi=150)
    ax = fig.subplots()
    labels = [b[0] if len(b[0]) <= 48 else b[0][:47] + "…" for b in bars]
    ys = list(range(len(bars)))[::-1]
    for y, (label, share, target) in zip(ys, bars, strict=True):
        if share is None:
            ax.text(0.01, y, hidden_text, va="center", fontsize=8)
        else:
            ax.barh(y, min(share, 1.0), color="#b3261e" if share + 1e-9 < target else "#3949ab", height=0.6)
            ax.text(min(share, 1.0) + 0.01, y, f"{share * 100:.0f}%", va="center", fontsize=8)
        ax.plot([target, target], [y - 0.4, y + 0.4], color="#1f1f1f", linestyle="--", linewidth=1.2)
    ax.set_yticks(ys, labels, fontsize=8)
    ax.set_xlim(0, 1.12)
    ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0], ["0%", "25%", "50%", "75%", "100%"], fontsize=8)
    ax.set_title(title, fontsize=10)
    ax.grid(axis="x", color="#d0d0d0")
    ax.set_axisbelow(True)
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()


def _figures(conn: Connection, scope: Scope, year: int, threshold: int, lang: str):
    rows, totals = service.annual_figures(conn, scope, year)
    table = service.annual_table(rows, [], threshold=threshold, suppress=scope.suppress, lang=lang)
    total_table = service.annual_table([], totals, threshold=threshold, suppress=scope.suppress, lang=lang)
    return table, total_table


def build(conn: Connection, *, scope: Scope, year: int, lang: str, threshold: int, banks: dict[str, Bank],
          profile: Profile) -> bytes:
    """The report as .docx bytes (raises NotFound 'no_targets' for a year without targets)."""
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt, RGBColor

    table, total_table = _figures(conn, scope, year, threshold, lang)
    L = lambda key, **p: t(key, lang, **p)

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin, section.right_margin = Cm(3), Cm(2)
    section.top_margin, section.bottom_margin = Cm(2), Cm(2)
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(13)
    normal.element.rPr.rFonts.set(f"{W}eastAsia", FONT)
    for name, size in (("Heading 1", 14), ("Heading 2", 13)):  # black Times, not the theme's blue sans
        style = doc.styles[name]
        style.font.name, style.font.size, style.font.color.rgb = FONT, Pt(size), RGBColor(0, 0, 0)
        fonts = style.element.rPr.rFonts
        for attr in ("ascii", "hAnsi", "eastAsia", "cs"):
            fonts.set(f"{W}{attr}", FONT)
            fonts.attrib.pop(f"{W}{attr}Theme", None)  # a theme font would win over the name

    def para(cell_or_doc, text: str, *, bold=False, italic=False, size=None, align=None, upper=False):
        p = cell_or_doc.add_paragraph()
        run = p.add_run(text.upper() if upper else text)
        run.bold, run.italic = bold, italic
        if size:
            run.font.size = Pt(size)
        if align is not None:
            p.alignment = align
        p.paragraph_format.space_after = Pt(0)
        return p

    # The heading block: issuer on the left, the national motto on the right.
    province = profile.province_name(lang)
    office = profile.operator.name.get(lang) or profile.operator.name.get("vi") or ""
    head = doc.add_table(rows=1, cols=2)
    head.alignment = WD_TABLE_ALIGNMENT.CENTER
    head.autofit = False
    left, right = head.rows[0].cells
    for column, width in zip(head.columns, (Cm(5.8), Cm(10.2)), strict=True):  # the motto fits on one line
        column.width = width
        for cell in column.cells:
            cell.width = width
    left._element.remove(left.paragraphs[0]._element)
    right._element.remove(right.paragraphs[0]._element)
    center = WD_ALIGN_PARAGRAPH.CENTER
    para(left, L("docx_superior", province=province), size=12, align=center, upper=True)
    para(left, office or L("docx_office_blank"), bold=True, size=12, align=center, upper=True)
    para(left, L("docx_number"), size=12, align=center)
    para(right, L("docx_motto_1"), bold=True, size=12, align=center)
    para(right, L("docx_motto_2"), bold=True, size=13, align=center)
    para(right, L("docx_place_date", place=_place(province)), italic=True, size=13, align=center)
    doc.add_paragraph()
    para(doc, L("docx_kind"), bold=True, size=14, align=center)
    para(doc, L("docx_title", year=year), bold=True, size=14, align=center)
    doc.add_paragraph()

    # 1. Summary: the province's totals against targets.
    overall = next((r for r in total_table if r[GROUP] == "*"), None)
    doc.add_heading(L("docx_h_summary"), level=1)
    if overall is not None:
        doc.add_paragraph(L("docx_summary", year=year, target=_num(overall[TARGET]), trained=_num(overall[TRAINED]),
                            rate=_pct(overall[RATE]), target_share=_pct(overall[SHARE]),
                            status=overall[STATUS].lower(), gap=_num(overall[GAP]),
                            in_year=_num(overall[IN_YEAR])))
    missed_units = sorted({(r[UNIT], r[NAME]) for r in table if not _met(r)}, key=lambda x: x[1])
    doc.add_paragraph(L("docx_summary_units", units=len({r[UNIT] for r in table}), missed=len(missed_units)))
    if scope.suppress:
        doc.add_paragraph(L("docx_suppression", threshold=threshold)).runs[0].italic = True

    # The chart, from the same totals.
    bars = []
    for r in total_table:
        label = L("docx_all") if r[GROUP] == "*" else f"{GROUPS[r[GROUP]][lang]} · {_module(banks, r[MODULE], lang)}"
        bars.append((label, None if isinstance(r[RATE], Suppressed) else r[RATE], float(r[SHARE])))
    if bars:
        png = chart_png(bars, title=L("docx_chart_title", year=year), hidden_text=L("docx_hidden"))
        doc.add_picture(io.BytesIO(png), width=Cm(16))
        doc.paragraphs[-1].alignment = center
        para(doc, L("docx_chart_caption", year=year), italic=True, size=11, align=center)

    # 2. A section per learner group.
    doc.add_heading(L("docx_h_groups"), level=1)
    for gid, names in GROUPS.items():
        group_rows = [r for r in total_table if r[GROUP] == gid]
        if not group_rows:
            continue
        doc.add_heading(names[lang], level=2)
        doc.add_paragraph(L("docx_group_lead", modules=len(group_rows), met=sum(1 for r in group_rows if _met(r)),
                            group=names[lang].lower()))
        _table(doc, [L("docx_col_module"), L("docx_col_headcount"), L("docx_col_target"), L("docx_col_trained"),
                     L("docx_col_share"), L("docx_col_result"), L("docx_col_gap")],
               [[_module(banks, r[MODULE], lang), _num(r[HEADCOUNT]), _num(r[TARGET]), _num(r[TRAINED]),
                 _pct(r[RATE]), r[STATUS], _num(r[GAP])] for r in group_rows])

    # 3. The table by unit.
    doc.add_heading(L("docx_h_units"), level=1)
    doc.add_paragraph(L("docx_units_lead"))
    _table(doc, [L("docx_col_unit"), L("docx_col_group"), L("docx_col_module"), L("docx_col_target"),
                 L("docx_col_trained"), L("docx_col_share"), L("docx_col_result"), L("docx_col_gap")],
           [[r[NAME], GROUPS[r[GROUP]][lang], _module(banks, r[MODULE], lang), _num(r[TARGET]), _num(r[TRAINED]),
             _pct(r[RATE]), r[STATUS], _num(r[GAP])] for r in table], size=9)

    # 4. Units that did not meet their targets, by name.
    doc.add_heading(L("docx_h_missed"), level=1)
    if missed_units:
        for code, name in missed_units:
            gaps = [r for r in table if r[UNIT] == code and not _met(r)]
            detail = "; ".join(f"{GROUPS[r[GROUP]][lang]} · {_module(banks, r[MODULE], lang)}: "
                               f"{L('docx_short_by', gap=_num(r[GAP]))}" for r in gaps)
            doc.add_paragraph(f"{name} — {detail}", style="List Bullet")
    else:
        doc.add_paragraph(L("docx_none_missed"))

    # 5. The classes held.
    doc.add_heading(L("docx_h_classes"), level=1)
    held = classes.held(db=Session(bind=conn), unit_codes=scope.unit_codes, year=year)
    if held:
        doc.add_paragraph(L("docx_classes_lead", count=len(held), year=year))
        _table(doc, [L("docx_col_date"), L("docx_col_class"), L("docx_col_unit"), L("docx_col_place"),
                     L("docx_col_joined")],
               [[local_text(r.training_class.starts_at), r.training_class.title, r.unit_name, r.training_class.place,
                 _num(suppression.hide_small(r.members, threshold) if scope.suppress else r.members)]
                for r in held], size=10)
    else:
        doc.add_paragraph(L("docx_no_classes", year=year))

    doc.add_paragraph()
    para(doc, L("docx_generated", when=now_local().strftime("%d/%m/%Y %H:%M")), italic=True, size=10)
    sign = doc.add_table(rows=1, cols=2)
    recipients, signer = sign.rows[0].cells
    recipients.paragraphs[0].add_run(L("docx_recipients")).bold = True
    para(recipients, L("docx_recipients_list"), size=11)
    signer.paragraphs[0].add_run(L("docx_signer")).bold = True
    signer.paragraphs[0].alignment = center
    para(signer, L("docx_signer_hint"), italic=True, size=12, align=center)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _met(row: tuple) -> bool:
    """Whether a row of annual_table met its target (its status column, in either language)."""
    return row[STATUS] in (t("docx_met", "vi"), t("docx_met", "en"))


def _place(province: str) -> str:
    for prefix in ("Tỉnh ", "Thành phố ", "tỉnh ", "thành phố "):
        if province.startswith(prefix):
            return province[len(prefix):]
    return province.removesuffix(" Province")


def _table(doc: Any, header: list[str], rows: list[list[str]], size: int = 10) -> None:
    """A grid table, the header in bold. Made whole and filled through its XML rows: python-docx's
    add_row() and row.cells walk the whole table each time (a province's 1,000 rows took 20 s)."""
    from docx.shared import Pt
    from docx.table import _Cell

    table = doc.add_table(rows=len(rows) + 1, cols=len(header))
    table.style = "Table Grid"
    for r, (tr, values) in enumerate(zip(table._tbl.tr_lst, [header, *rows], strict=True)):
        for tc, text in zip(tr.tc_lst, values, strict=True):
            run = _Cell(tc, table).paragraphs[0].add_run(str(text))
            run.font.size = Pt(size)
            if r == 0:
                run.bold = True
