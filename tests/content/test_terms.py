"""One term per idea: the lessons, their pictures and the question banks never use a variant that
tests/content/terms.yaml forbids, and the glossary entry of each term is titled with the word the
pages use."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
BANKS = ROOT / "quiz_api" / "banks"
TERMS_FILE = Path(__file__).with_name("terms.yaml")
GLOSSARY = {"vi": DOCS / "thuat-ngu.md", "en": DOCS / "thuat-ngu.en.md"}


@dataclass
class Term:
    preferred: str
    patterns: list[tuple[str, re.Pattern[str]]]  # (variant as written in terms.yaml, compiled)
    lang: str | None = None
    glossary: str | None = None
    allowed_in: dict[str, str] = field(default_factory=dict)


def phrase_pattern(phrase: str) -> re.Pattern[str]:
    """A whole-word, case-insensitive match that lets a line break stand for a space."""
    words = [re.escape(w) for w in phrase.split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.IGNORECASE)


def load_terms() -> list[Term]:
    data = yaml.safe_load(TERMS_FILE.read_text("utf-8"))
    terms = []
    for entry in data["terms"]:
        patterns = [(v, phrase_pattern(v)) for v in entry.get("forbidden", [])]
        patterns += [(p, re.compile(p, re.IGNORECASE)) for p in entry.get("forbidden_patterns", [])]
        terms.append(Term(entry["preferred"], patterns, entry.get("lang"), entry.get("glossary"),
                          entry.get("allowed_in") or {}))
    return terms


TERMS = load_terms()

# What a reader sees, not the machinery around it: heading ids and attribute lists ({ #mfa }),
# link targets (](x.md#anh-cccd)), addresses, HTML and SVG tags.
ATTR_LIST = re.compile(r"\{[^{}\n]*\}")
LINK_TARGET = re.compile(r"\]\([^)\s]*(?:\s+\"[^\"]*\")?\)")
URL = re.compile(r"https?://\S+")
TAG = re.compile(r"<[^>]+>")


def visible_markdown(text: str) -> str:
    for pattern in (LINK_TARGET, ATTR_LIST, URL, TAG):
        text = pattern.sub(lambda m: "]" if m.group(0).startswith("]") else " ", text)
    return text


def visible_svg(text: str) -> str:
    return TAG.sub(" ", text)


# Bank keys whose values are identifiers or links, not text a learner reads.
BANK_MACHINE_KEYS = {"id", "lesson", "correct", "type", "module"}


def bank_strings(node, key: str | None = None):
    """Every string a learner can read in a parsed bank, wherever it sits."""
    if key in BANK_MACHINE_KEYS:
        return
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for k, v in node.items():
            yield from bank_strings(v, str(k))
    elif isinstance(node, list):
        for item in node:
            yield from bank_strings(item, key)


def offences(text: str, rel: str) -> list[str]:
    """'variant -> preferred' for every forbidden variant found in a text."""
    found = []
    for term in TERMS:
        if rel in term.allowed_in:
            continue
        for variant, pattern in term.patterns:
            for m in pattern.finditer(text):
                context = " ".join(text[max(0, m.start() - 30): m.end() + 30].split())
                found.append(f"{m.group(0)!r} -> {term.preferred!r} (forbidden: {variant}) … {context} …")
    return found


# ---------------------------------------------------------------- the matcher itself


@pytest.mark.parametrize("text, hits", [
    ("khoảng 18.900 tỉ đồng", 1),
    ("Tỉ lệ đạt của xã", 1),
    ("tỉnh Tây Ninh, 18.900 tỷ đồng", 0),
    ("bật xác thực\nhai yếu tố cho Zalo", 1),           # a wrapped line still counts
    ("bật xác thực hai lớp cho Zalo", 0),
    ("mua một cân bánh tráng, 2 cân muối tôm", 2),
    ("hãy cân nhắc kỹ; cân nặng của bé", 0),
    ("đừng bấm vào liên kết lạ", 1),
    ("liên kết tài khoản ngân hàng với ví điện tử", 0),
    ("Bố mẹ không mắng", 1),
    ("ba mẹ và cha mẹ hoặc người giám hộ", 0),
    ("Turn on multi-factor authentication (MFA)", 2),
    ("Turn on two-factor authentication", 0),
])
def test_the_matcher_finds_whole_words_in_their_sense(text: str, hits: int):
    assert len(offences(text, "sample.md")) == hits, offences(text, "sample.md")


def test_ids_link_targets_and_addresses_are_not_text():
    page = "## Ảnh thẻ căn cước { #anh-cccd }\nXem [bài](thoi-quen.md#anh-cccd) và https://x.vn/mfa\n## Hai lớp { #mfa }"
    assert offences(visible_markdown(page), "p.md") == []
    assert offences(visible_markdown("ảnh CCCD"), "p.md")


def test_bank_identifiers_and_lesson_links_are_skipped_but_texts_are_read():
    bank = {"id": "x", "questions": [{"id": "mfa-1", "lesson": "a.md#anh-cccd",
                                       "text": {"vi": "Bật xác thực nhiều lớp", "en": "Turn on MFA"}}]}
    assert list(bank_strings(bank)) == ["Bật xác thực nhiều lớp", "Turn on MFA"]


def test_an_allowed_file_may_name_the_old_term():
    assert offences("thẻ căn cước công dân (CCCD)", "docs/thuat-ngu.md") == []
    assert offences("thẻ căn cước công dân (CCCD)", "docs/ban-hang.md")


# ---------------------------------------------------------------- pages, pictures, banks

PAGES = sorted(DOCS.rglob("*.md"))
PICTURES = sorted(DOCS.rglob("*.svg"))
BANK_FILES = sorted(BANKS.glob("*.yaml"))


def rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_there_are_files_to_check():
    assert len(PAGES) > 40 and PICTURES and BANK_FILES


@pytest.mark.parametrize("page", PAGES, ids=rel)
def test_pages_use_the_preferred_terms(page: Path):
    found = offences(visible_markdown(page.read_text("utf-8")), rel(page))
    assert not found, f"{rel(page)} (see tests/content/terms.yaml):\n" + "\n".join(found)


@pytest.mark.parametrize("picture", PICTURES, ids=rel)
def test_pictures_use_the_preferred_terms(picture: Path):
    found = offences(visible_svg(picture.read_text("utf-8")), rel(picture))
    assert not found, f"{rel(picture)} (see tests/content/terms.yaml):\n" + "\n".join(found)


@pytest.mark.parametrize("bank", BANK_FILES, ids=rel)
def test_question_banks_use_the_preferred_terms(bank: Path):
    data = yaml.safe_load(bank.read_text("utf-8"))
    found = [o for s in bank_strings(data) for o in offences(s, rel(bank))]
    assert not found, f"{rel(bank)} (see tests/content/terms.yaml):\n" + "\n".join(found)


# ---------------------------------------------------------------- the glossary names the same term

HEADING = re.compile(r"^#{2,6}\s+(.+?)\s*\{\s*#([a-z0-9-]+)\s*\}\s*$", re.MULTILINE)


@pytest.mark.parametrize("term", [t for t in TERMS if t.glossary], ids=lambda t: t.preferred)
def test_the_glossary_entry_is_titled_with_the_preferred_term(term: Term):
    glossary = GLOSSARY[term.lang]
    titles = {hid: title for title, hid in HEADING.findall(glossary.read_text("utf-8"))}
    assert term.glossary in titles, f"{rel(glossary)} has no heading {{ #{term.glossary} }}"
    assert term.preferred.casefold() in titles[term.glossary].casefold(), (
        f"{rel(glossary)}#{term.glossary} is titled {titles[term.glossary]!r}, "
        f"but the pages say {term.preferred!r}"
    )
