"""The attendance and results sheet of a class: the rows, and the same rows as an XLSX workbook.

Rows list the members by name (the organiser ran the class and saw them there), except learners
who erased their data: those are counted in a note, never named.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from quiz_api.banks import Bank
from quiz_api.classes.service import Progress
from quiz_api.db import utcnow
from quiz_api.labels import GROUPS, t
from quiz_api.localtime import local_text


def module_title(banks: dict[str, Bank], module_id: str, lang: str) -> str:
    bank = banks.get(module_id)
    return bank.title[lang] if bank else module_id


@dataclass(frozen=True)
class SheetRow:
    number: int
    full_name: str
    unit_name: str
    group: str  # the group's name in the sheet's language
    passed: int  # modules of the class passed
    scores: list[float | None]  # best score per class module, 0..1
    certificates: list[str | None]  # certificate code per class module


def rows(progress: Progress, lang: str) -> list[SheetRow]:
    out = []
    for i, m in enumerate(progress.listed, start=1):
        results = [m.results[module] for module in progress.modules]
        out.append(SheetRow(i, m.full_name or "", m.unit_name, GROUPS.get(m.group, {}).get(lang, m.group),
                            sum(r.passed for r in results), [r.best_score for r in results],
                            [r.certificate_code for r in results]))
    return out


def details(progress: Progress, banks: dict[str, Bank], lang: str) -> list[tuple[str, str]]:
    """The class's details as (label, value) pairs, for the top of every sheet."""
    c = progress.training_class
    return [
        (t("class_field_title", lang), c.title),
        (t("class_field_code", lang), c.code),
        (t("class_field_when", lang), local_text(c.starts_at) + " " + t("class_local_time", lang)),
        (t("class_field_place", lang), c.place),
        (t("class_field_unit", lang), progress.unit_name),
        (t("class_field_trainer", lang), c.trainer_name),
        (t("class_field_modules", lang), "; ".join(module_title(banks, m, lang) for m in progress.modules)),
        (t("class_field_headcount", lang), f"{len(progress.members)} / {c.expected_headcount}"),
    ]


def _text(cell: Any) -> None:
    """A text cell stays text: a shared string is never evaluated, whatever it starts with (=, +, -, @)."""
    if isinstance(cell.value, str):
        cell.data_type = "s"


def xlsx(progress: Progress, banks: dict[str, Bank], lang: str) -> bytes:
    """The sheet as an XLSX workbook: the class's details on top, one table with a frozen header,
    scores as percentages, column widths fitted to the content, and a line for the trainer's signature."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = t("class_sheet_name", lang)[:31]
    bold = Font(bold=True)
    ws.append([t("class_sheet_title", lang)])
    ws["A1"].font = Font(bold=True, size=14)
    for label, value in details(progress, banks, lang):
        ws.append([label, value])
        _text(ws.cell(ws.max_row, 2))
    ws.append([t("class_generated_at", lang), local_text(utcnow()) + " " + t("class_local_time", lang)])
    ws.append([])
    header = [t("class_col_number", lang), t("class_col_name", lang), t("class_col_unit", lang),
              t("class_col_group", lang), t("class_col_passed", lang)]
    for m in progress.modules:
        title = module_title(banks, m, lang)
        header += [f"{title}: {t('class_col_score', lang)}", f"{title}: {t('class_col_certificate', lang)}"]
    ws.append(header)
    header_row = ws.max_row
    for cell in ws[header_row]:
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        _text(cell)
    for r in rows(progress, lang):
        values: list[Any] = [r.number, r.full_name, r.unit_name, r.group, r.passed]
        for score, code in zip(r.scores, r.certificates, strict=True):
            values += [score, code]
        ws.append(values)
        for col, cell in enumerate(ws[ws.max_row], start=1):
            _text(cell)
            if col > 5 and (col - 6) % 2 == 0 and isinstance(cell.value, float):
                cell.number_format = "0%"
    if progress.erased_count:
        ws.append([])
        ws.append([t("class_erased_note", lang, count=progress.erased_count)])
    ws.append([])
    ws.append([t("class_signature", lang)])
    ws.freeze_panes = ws.cell(header_row + 1, 1)
    widths: dict[int, int] = {}
    for row in ws.iter_rows(min_row=header_row):
        for cell in row:
            if cell.value is not None:
                length = len(f"{cell.value:.0%}" if isinstance(cell.value, float) else str(cell.value))
                widths[cell.column] = max(widths.get(cell.column, 0), min(length, 50))
    widths[1] = max(widths.get(1, 0), max(len(label) for label, _ in details(progress, banks, lang)))
    for column, width in widths.items():
        ws.column_dimensions[get_column_letter(column)].width = width + 2
    ws.print_options.gridLines = True
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
