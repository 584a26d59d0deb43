"""The Markdown sources of the site: bilingual twins, NFC text, explicit shared heading ids,
and every legal document number cited anywhere is listed on the sources page."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
SOURCES_VI = DOCS / "gioi-thieu" / "nguon-tham-khao.md"
SOURCES_EN = DOCS / "gioi-thieu" / "nguon-tham-khao.en.md"

ALL_MD = sorted(DOCS.rglob("*.md"))
VI_MD = [p for p in ALL_MD if not p.name.endswith(".en.md")]


def rel(path: Path) -> str:
    return str(path.relative_to(DOCS))


def en_twin(vi_page: Path) -> Path:
    return vi_page.with_name(vi_page.name[: -len(".md")] + ".en.md")


def vi_twin(en_page: Path) -> Path:
    return en_page.with_name(en_page.name[: -len(".en.md")] + ".md")


# ---------------------------------------------------------------- (a) every page in both languages


def test_there_are_pages_to_check():
    assert len(VI_MD) >= 20, "docs/ looks empty: did the glob break?"


@pytest.mark.parametrize("page", VI_MD, ids=rel)
def test_every_vietnamese_page_has_an_english_twin(page: Path):
    assert en_twin(page).exists(), f"{rel(page)} has no {rel(en_twin(page))}"


@pytest.mark.parametrize("page", [p for p in ALL_MD if p.name.endswith(".en.md")], ids=rel)
def test_every_english_page_has_a_vietnamese_twin(page: Path):
    assert vi_twin(page).exists(), f"{rel(page)} has no {rel(vi_twin(page))}"


# ---------------------------------------------------------------- (b) Unicode NFC


@pytest.mark.parametrize("path", ALL_MD + sorted(DOCS.rglob("*.svg")), ids=rel)
def test_text_is_unicode_nfc(path: Path):
    text = path.read_text("utf-8")
    if unicodedata.is_normalized("NFC", text):
        return
    line_no, line = next(
        (n, line) for n, line in enumerate(text.splitlines(), 1) if not unicodedata.is_normalized("NFC", line)
    )
    pytest.fail(f"{rel(path)}:{line_no} is not NFC (decomposed diacritics): {line.strip()[:80]!r}")


# ---------------------------------------------------------------- (e) explicit, shared heading ids

HEADING = re.compile(r"^\s{0,12}(#{1,6})\s+(.+?)\s*$")
EXPLICIT_ID = re.compile(r"\{\s*#([a-z0-9][a-z0-9-]*)\s*\}\s*$")
FENCE = re.compile(r"^\s*(```|~~~)")


def headings(path: Path) -> list[tuple[int, str, str | None]]:
    """(line number, heading text, explicit id or None) for every Markdown heading outside code."""
    found = []
    in_fence = in_front_matter = False
    for n, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        if n == 1 and line.strip() == "---":
            in_front_matter = True
            continue
        if in_front_matter:
            in_front_matter = line.strip() != "---"
            continue
        if FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        m = HEADING.match(line)
        if m:
            id_match = EXPLICIT_ID.search(m.group(2))
            found.append((n, m.group(2), id_match.group(1) if id_match else None))
    return found


def test_heading_parser_reads_ids_and_notices_missing_ones(tmp_path: Path):
    page = tmp_path / "p.md"
    page.write_text("---\nquiz: x\n---\n# Tiêu đề { #tieu-de }\n\n```\n# not a heading\n```\n## Không id\n", "utf-8")
    assert headings(page) == [(4, "Tiêu đề { #tieu-de }", "tieu-de"), (9, "Không id", None)]


@pytest.mark.parametrize("page", ALL_MD, ids=rel)
def test_every_heading_has_an_explicit_ascii_id_unique_in_its_page(page: Path):
    found = headings(page)
    missing = [f"line {n}: {text}" for n, text, hid in found if hid is None]
    assert not missing, f"{rel(page)}: headings without an explicit {{ #ascii-id }}: {missing}"
    ids = [hid for _, _, hid in found]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    assert not duplicates, f"{rel(page)}: duplicate heading ids {duplicates}"


@pytest.mark.parametrize("page", [p for p in VI_MD if en_twin(p).exists()], ids=rel)
def test_vietnamese_and_english_twins_share_the_same_heading_ids(page: Path):
    vi_ids = {hid for _, _, hid in headings(page)}
    en_ids = {hid for _, _, hid in headings(en_twin(page))}
    assert vi_ids == en_ids, (
        f"{rel(page)}: only in vi {sorted(vi_ids - en_ids)}; only in en {sorted(en_ids - vi_ids)}"
    )


# ---------------------------------------------------------------- (d) legal numbers on the sources page

# Full numbers: 91/2025/QH15, 356/2025/NĐ-CP, 05/2017/QĐ-TTg, 20/2017/TT-BTTTT, 830/QĐ-TTg,
# 1682/NQ-UBTVQH15, 1928/QĐ-NHNN, and any other agency suffix someone may cite; plus 57-NQ/TW.
FULL_NUMBER = re.compile(r"(?<![\w/])\d{1,4}/(?:\d{4}/)?(?:QH\d+|[A-ZĐ]{2,}(?:-[A-Za-zĐ0-9]+)+)(?![\w-])")
PARTY_NUMBER = re.compile(r"(?<![\w/])\d{1,4}-NQ/TW\b")
# Short references without the suffix: "Nghị định 13/2023", "Decree 147/2024", "Luật số 91/2025".
SHORT_NUMBER = re.compile(
    r"(?:Nghị định|Luật|Quyết định|Thông tư|Nghị quyết|Decree|Decrees|Law|Decision|Circular|Resolution)"
    r"\s+(?:số\s+|No\.\s*)?(\d{1,4}/\d{4})(?![/\d])"
)


def cited_numbers(text: str) -> set[str]:
    return set(FULL_NUMBER.findall(text)) | set(PARTY_NUMBER.findall(text)) | set(SHORT_NUMBER.findall(text))


def test_number_patterns_catch_the_forms_lessons_use():
    text = (
        "Luật 91/2025/QH15, Nghị định 356/2025/NĐ-CP, Quyết định 05/2017/QĐ-TTg, Thông tư 20/2017/TT-BTTTT, "
        "830/QĐ-TTg, 1682/NQ-UBTVQH15, 1928/QĐ-NHNN, 405/QĐ-BKHCN, Nghị quyết 57-NQ/TW, Nghị định 13/2023, "
        "ngày 01/01/2026, 24/7, 5656, 18.900 tỉ"
    )
    assert cited_numbers(text) == {
        "91/2025/QH15", "356/2025/NĐ-CP", "05/2017/QĐ-TTg", "20/2017/TT-BTTTT", "830/QĐ-TTg",
        "1682/NQ-UBTVQH15", "1928/QĐ-NHNN", "405/QĐ-BKHCN", "57-NQ/TW", "13/2023",
    }


def test_the_sources_page_lists_the_core_documents():
    text = SOURCES_VI.read_text("utf-8")
    for number in ("91/2025/QH15", "356/2025/NĐ-CP", "05/2017/QĐ-TTg", "20/2017/TT-BTTTT", "1682/NQ-UBTVQH15",
                   "116/2025/QH15", "85/2016/NĐ-CP", "57-NQ/TW"):
        assert number in text


def test_the_e_commerce_law_is_never_given_a_number():
    # The 2025 Law on E-commerce's number is not verified: pages must not invent one.
    pattern = re.compile(r"(Luật Thương mại điện tử|Law on E-commerce)[^.\n|]{0,40}?\d+/\d{4}/QH\d+")
    offenders = [rel(p) for p in ALL_MD if pattern.search(p.read_text("utf-8"))]
    assert not offenders, f"a number is given to the 2025 E-commerce Law in {offenders}"


@pytest.mark.parametrize("page", [p for p in ALL_MD if p not in (SOURCES_VI, SOURCES_EN)], ids=rel)
def test_every_legal_number_cited_appears_on_both_sources_pages(page: Path):
    listed_vi = SOURCES_VI.read_text("utf-8")
    listed_en = SOURCES_EN.read_text("utf-8")
    missing = sorted(n for n in cited_numbers(page.read_text("utf-8")) if n not in listed_vi or n not in listed_en)
    assert not missing, (
        f"{rel(page)} cites {missing}, which the sources page (gioi-thieu/nguon-tham-khao) does not list: "
        "cite only documents from the fact sheet, spelled as on the sources page"
    )
