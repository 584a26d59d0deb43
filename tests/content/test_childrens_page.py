"""The children's page (tre-em-tren-mang/danh-cho-tre-em), read by 8–12 year olds: short, one
drawn picture per rule with alt text, no English programme labels, and the anchors the question
banks link to."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
PAGE_DIR = ROOT / "docs" / "tre-em-tren-mang"
PAGES = {"vi": PAGE_DIR / "danh-cho-tre-em.md", "en": PAGE_DIR / "danh-cho-tre-em.en.md"}
RULE_IDS = ["chia-se-co-suy-nghi", "khong-mac-bay", "giu-kin-bi-mat", "tu-te", "hay-noi-ra"]
MAX_WORDS = 900

ARTICLE = re.compile(r'<article class="md-content__inner md-typeset">(.*?)</article>', re.DOTALL)
HEADERLINK = re.compile(r'<a class="headerlink"[^>]*>.*?</a>', re.DOTALL)
TAG = re.compile(r"<[^>]+>")


def rendered_words(page_html: str) -> list[str]:
    """The words a reader sees in the article: tags, permalink signs and lone punctuation dropped.

    Vietnamese is counted as written, one word per space-separated syllable."""
    body = ARTICLE.search(page_html).group(1)
    text = html.unescape(TAG.sub(" ", HEADERLINK.sub("", body)))
    return [w for w in text.split() if re.search(r"\w", w)]


def test_the_word_counter_counts_what_is_shown():
    page = ('<article class="md-content__inner md-typeset"><h1>Xin chào<a class="headerlink" href="#x">¶</a></h1>'
            "<p>Bạn <b>nhớ</b> 5 điều – nhé!</p><img alt=\"không đếm\"></article>")
    assert rendered_words(page) == ["Xin", "chào", "Bạn", "nhớ", "5", "điều", "nhé!"]


def test_the_vietnamese_childrens_page_has_at_most_900_words(built_site: Path):
    page_html = (built_site / "tre-em-tren-mang" / "danh-cho-tre-em" / "index.html").read_text("utf-8")
    count = len(rendered_words(page_html))
    assert 300 < count <= MAX_WORDS, f"the children's page has {count} words (at most {MAX_WORDS})"


def sections(page: Path) -> dict[str, str]:
    """Text of each ## section of a page, by heading id."""
    found = {}
    for block in re.split(r"\n(?=## )", page.read_text("utf-8")):
        m = re.match(r"## .*\{ #([a-z0-9-]+) \}", block)
        if m:
            found[m.group(1)] = block
    return found


IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)\s]+)\)")


@pytest.mark.parametrize("lang", PAGES)
def test_every_rule_has_one_picture_of_its_own_with_alt_text(lang: str):
    by_id = sections(PAGES[lang])
    pictures = []
    for rule in RULE_IDS:
        images = IMAGE.findall(by_id[rule])
        assert len(images) == 1, f"{lang} #{rule}: {len(images)} pictures, expected one"
        alt, src = images[0]
        assert len(alt.split()) >= 8, f"{lang} #{rule}: the alt text {alt!r} does not describe the picture"
        assert src.startswith("img/") and src.endswith(".svg"), src
        assert (PAGE_DIR / src).is_file(), f"{src} does not exist"
        pictures.append(src)
    assert len(set(pictures)) == len(RULE_IDS), "two rules share a picture"


@pytest.mark.parametrize("svg", sorted({*re.findall(r"img/[\w-]+\.svg", PAGES["vi"].read_text("utf-8"))}))
def test_the_pictures_are_self_contained_drawings(svg: str):
    text = (PAGE_DIR / svg).read_text("utf-8")
    assert text.lstrip().startswith("<svg")
    assert "<image" not in text and "http" not in text.replace("http://www.w3.org/2000/svg", ""), (
        f"{svg} embeds or links an external asset"
    )


@pytest.mark.parametrize("lang", PAGES)
def test_no_programme_name_labels(lang: str):
    text = PAGES[lang].read_text("utf-8")
    assert "Tên gốc" not in text and "Original name" not in text


def test_every_anchor_a_question_bank_links_to_on_this_page_exists():
    bank = yaml.safe_load((ROOT / "quiz_api" / "banks" / "tre-em-tren-mang.yaml").read_text("utf-8"))
    linked = {q["lesson"].split("#", 1)[1] for q in bank["questions"]
              if q.get("lesson", "").startswith("tre-em-tren-mang/danh-cho-tre-em.md#")}
    assert linked, "no question links to the children's page: the test would prove nothing"
    for lang, page in PAGES.items():
        missing = linked - set(sections(page)) - {"danh-cho-tre-em"}
        assert not missing, f"{lang}: anchors linked from the bank are gone: {sorted(missing)}"
