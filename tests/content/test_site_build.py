"""The built site: `mkdocs build --strict` passes, the search index forgives missing diacritics,
and nothing that must stay private or third-party reaches the output."""

from __future__ import annotations

import importlib.util
import json
import re
from html import unescape
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
BANKS = ROOT / "quiz_api" / "banks"
HOOK = ROOT / "overrides" / "hooks" / "search_fold.py"


@pytest.fixture(scope="session")
def search_docs(built_site: Path) -> list[dict]:
    return json.loads((built_site / "search" / "search_index.json").read_text("utf-8"))["docs"]


def load_hook():
    spec = importlib.util.spec_from_file_location("search_fold", HOOK)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# The search worker splits on whitespace and hyphens (config "separator": "[\\s\\-]+") after the
# HTML has been read as text; a hidden <span> is still text, which is how the folded words get in.
SEPARATOR = re.compile(r"[\s\-]+")
TAG = re.compile(r"<[^>]+>")
EDGE = re.compile(r"^\W+|\W+$")


def tokens(html_text: str) -> set[str]:
    words = SEPARATOR.split(unescape(TAG.sub(" ", html_text)).lower())
    return {EDGE.sub("", w) for w in words if w}


# ---------------------------------------------------------------- (c) diacritic-free search


def test_fold_turns_vietnamese_into_plain_ascii():
    fold = load_hook().fold
    assert fold("Lừa đảo") == "lua dao"
    assert fold("DỮ LIỆU CÁ NHÂN") == "du lieu ca nhan"
    assert fold("Đăng ký") == "dang ky"


def test_the_built_site_exists_with_both_languages(built_site: Path):
    assert (built_site / "index.html").exists()
    assert (built_site / "en" / "index.html").exists()
    assert (built_site / "search" / "search_index.json").exists()


@pytest.mark.parametrize("phrase, folded", [("lừa đảo", "lua dao"), ("dữ liệu cá nhân", "du lieu ca nhan"),
                                             ("mã độc tống tiền", "ma doc tong tien")])
def test_every_indexed_section_with_a_phrase_is_found_by_its_folded_words(search_docs, phrase, folded):
    sections = [d for d in search_docs if phrase in (d["title"] + " " + d["text"]).lower()]
    assert sections, f"no indexed section contains {phrase!r}: the test would prove nothing"
    wanted = set(folded.split())
    unmatched = [d["location"] for d in sections if not wanted <= tokens(d["text"])]
    assert not unmatched, f"{folded!r} does not match these sections containing {phrase!r}: {unmatched[:10]}"


def test_titles_carry_their_folded_words_so_title_matches_rank_first(search_docs):
    titled = [d for d in search_docs if "lừa đảo" in d["title"].lower()]
    assert titled
    assert all({"lua", "dao"} <= tokens(d["title"]) for d in titled)


def test_folded_words_are_hidden_from_the_result_list(search_docs):
    span = re.compile(r'<span class="kns-fold" hidden> [^<]*</span>$')
    with_fold = [d for d in search_docs if "kns-fold" in d["text"]]
    assert len(with_fold) > 50
    assert all(span.search(d["text"]) for d in with_fold)


# ---------------------------------------------------------------- (f) nothing private in the output


def question_ids() -> set[str]:
    ids = set()
    for bank in BANKS.glob("*.yaml"):
        data = yaml.safe_load(bank.read_text("utf-8"))
        ids.update(q["id"] for q in data.get("questions", []))
    return ids


def text_files(site: Path):
    for path in site.rglob("*"):
        if path.is_file() and path.suffix in {".html", ".json", ".js", ".xml", ".txt", ".css", ".svg", ".map"}:
            yield path, path.read_text("utf-8", errors="replace")


def test_the_built_site_contains_no_yaml_file(built_site: Path):
    found = [str(p.relative_to(built_site)) for p in built_site.rglob("*") if p.suffix in {".yml", ".yaml"}]
    assert not found, f"YAML files reached the site: {found}"


def test_the_built_site_contains_no_answer_key(built_site: Path):
    ids = question_ids()
    assert len(ids) >= 40, "the question banks could not be read: the test would prove nothing"
    leaks = []
    for path, text in text_files(built_site):
        if re.search(r"\bcorrect\s*:", text) and any(qid in text for qid in ids):
            leaks.append(str(path.relative_to(built_site)))
    assert not leaks, f"answer keys may have leaked into: {leaks}"


# ---------------------------------------------------------------- no third-party requests

FETCHING_TAG = re.compile(r"<(script|img|iframe|source|audio|video|embed)\b[^>]*?\ssrc=[\"']([^\"']+)", re.IGNORECASE)
LINK_TAG = re.compile(r"<link\b[^>]*>", re.IGNORECASE)
CSS_URL = re.compile(r"(?:@import\s+|url\()\s*[\"']?((?:https?:)?//[^\"')\s]+)", re.IGNORECASE)


def is_remote(url: str) -> bool:
    return url.startswith(("http://", "https://", "//"))


def test_no_page_loads_anything_from_another_host(built_site: Path):
    remote = []
    for path, text in text_files(built_site):
        where = str(path.relative_to(built_site))
        if path.suffix == ".html":
            remote += [(where, url) for _, url in FETCHING_TAG.findall(text) if is_remote(url)]
            for tag in LINK_TAG.findall(text):
                rel = re.search(r"rel=[\"']([^\"']+)", tag)
                href = re.search(r"href=[\"']([^\"']+)", tag)
                # canonical/alternate/sitemap links are never fetched by the browser
                if rel and href and rel.group(1) not in {"canonical", "alternate", "sitemap"} and is_remote(href.group(1)):
                    remote.append((where, href.group(1)))
        if path.suffix in {".css", ".html", ".svg"}:
            remote += [(where, url) for url in CSS_URL.findall(text)]
    assert not remote, f"requests to other hosts: {remote[:10]}"
