"""Every page carries the date someone last checked it (`reviewed:` in its front matter): a real
date, not in the future, and not older than the latest change of a law its topic rests on or it
cites (tests/content/law_changes.yaml). The theme shows that date on the page, dd/mm/yyyy in
Vietnamese."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
LAWS_FILE = Path(__file__).with_name("law_changes.yaml")
PAGES = sorted(DOCS.rglob("*.md"))


@dataclass(frozen=True)
class Law:
    id: str
    name: str
    latest_change: dt.date
    cited_as: tuple[str, ...]


def load_laws(path: Path = LAWS_FILE) -> tuple[dict[str, Law], dict[str, list[str]]]:
    data = yaml.safe_load(path.read_text("utf-8"))
    laws = {
        law_id: Law(law_id, entry["name"], entry["latest_change"], tuple(entry.get("cited_as", ())))
        for law_id, entry in data["laws"].items()
    }
    return laws, data["topics"]


LAWS, TOPICS = load_laws()
FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)


def rel(page: Path) -> str:
    return str(page.relative_to(DOCS))


def page_key(relpath: str) -> str:
    """'du-lieu-ca-nhan/su-dong-y.en.md' -> 'du-lieu-ca-nhan/su-dong-y': both languages share a key."""
    return re.sub(r"(\.en)?\.md$", "", relpath)


def front_matter(text: str) -> dict:
    m = FRONT_MATTER.match(text)
    return (yaml.safe_load(m.group(1)) or {}) if m else {}


def laws_behind(relpath: str, text: str) -> list[Law]:
    """The laws a page depends on: those of its topic, and those it cites."""
    key = page_key(relpath)
    ids = {law_id for prefix, law_ids in TOPICS.items() if key.startswith(prefix) for law_id in law_ids}
    ids |= {law.id for law in LAWS.values() if any(c in text for c in law.cited_as)}
    return sorted((LAWS[i] for i in ids), key=lambda law: law.latest_change)


def problems(relpath: str, text: str, today: dt.date) -> list[str]:
    reviewed = front_matter(text).get("reviewed")
    if not isinstance(reviewed, dt.date) or isinstance(reviewed, dt.datetime):
        return [f"no `reviewed: YYYY-MM-DD` date in the front matter (found {reviewed!r})"]
    found = []
    if reviewed > today:
        found.append(f"reviewed {reviewed} is in the future")
    found += [
        f"reviewed {reviewed}, before {law.name} changed on {law.latest_change}: re-read the page and update it"
        for law in laws_behind(relpath, text)
        if reviewed < law.latest_change
    ]
    return found


# ---------------------------------------------------------------- the rule itself


TODAY = dt.date(2026, 12, 3)


def test_a_page_reviewed_after_every_change_passes():
    text = "---\nreviewed: 2026-12-03\n---\n# Quyền { #q }\nLuật 91/2025/QH15 ...\n"
    assert problems("du-lieu-ca-nhan/quyen.md", text, TODAY) == []


def test_a_topic_page_reviewed_before_its_law_changed_fails_even_without_citing_it():
    text = "---\nreviewed: 2025-12-31\n---\n# Quyền { #q }\nKhông nhắc số hiệu.\n"
    found = problems("du-lieu-ca-nhan/quyen.md", text, TODAY)
    assert any("91/2025/QH15" in p for p in found)


def test_a_page_outside_the_topics_fails_when_it_cites_a_law_changed_after_its_review():
    text = "---\nreviewed: 2026-03-01\n---\n# X { #x }\nLuật An ninh mạng số 116/2025/QH15.\n"
    assert any("116/2025/QH15" in p for p in problems("gioi-thieu/x.en.md", text, TODAY))
    assert problems("gioi-thieu/x.en.md", text.replace("116/2025/QH15", "24/2018/QH14"), TODAY) == []


def test_a_date_in_the_future_or_a_missing_or_quoted_date_fails():
    assert problems("lo-trinh/x.md", "---\nreviewed: 2027-01-01\n---\n", TODAY)
    assert problems("lo-trinh/x.md", "# No front matter\n", TODAY)
    assert problems("lo-trinh/x.md", "---\nreviewed: '03/12/2026'\n---\n", TODAY)


def test_every_topic_lists_known_laws():
    unknown = {law_id for ids in TOPICS.values() for law_id in ids} - set(LAWS)
    assert not unknown, f"law_changes.yaml topics name unknown laws: {sorted(unknown)}"
    orphans = [prefix for prefix in TOPICS if not any(page_key(rel(p)).startswith(prefix) for p in PAGES)]
    assert not orphans, f"topic keys that match no page (was a page renamed?): {orphans}"


# ---------------------------------------------------------------- every page


def test_there_are_pages():
    assert len(PAGES) > 40


@pytest.mark.parametrize("page", PAGES, ids=rel)
def test_every_page_was_reviewed_after_the_laws_it_rests_on_changed(page: Path):
    found = problems(rel(page), page.read_text("utf-8"), dt.date.today())
    assert not found, f"{rel(page)}: " + "; ".join(found)


# ---------------------------------------------------------------- the date on the built page


def built_html(site: Path, relpath: str) -> Path:
    english = relpath.endswith(".en.md")
    key = page_key(relpath)
    parts = key.split("/")
    if parts[-1] == "index":
        parts = parts[:-1]
    return site.joinpath(*(["en"] if english else []), *parts, "index.html")


@pytest.mark.parametrize("page", PAGES, ids=rel)
def test_the_built_page_shows_its_review_date(built_site: Path, page: Path):
    reviewed = front_matter(page.read_text("utf-8"))["reviewed"]
    html = built_html(built_site, rel(page)).read_text("utf-8")
    if page.name.endswith(".en.md"):
        label, shown = "Last reviewed", f"{reviewed.day} {reviewed:%B %Y}"
    else:
        label, shown = "Cập nhật lần cuối", f"{reviewed:%d/%m/%Y}"
    pattern = rf'{label}:\s*<time datetime="{reviewed.isoformat()}">{re.escape(shown)}</time>'
    assert re.search(pattern, html), f"{rel(page)}: the page does not show '{label}: {shown}'"
