"""MkDocs hook: one search index per language instead of one shared by both.

mkdocs-static-i18n writes a single search/search_index.json holding the Vietnamese and the English
pages, so every page downloaded both (1.1 MB before compression) and a search from a Vietnamese
page listed English ones. After the build, the English entries move to en/search/search_index.json
(their locations made relative to en/), and each English page's Material config names en/ as its
base, which is where Material's search worker fetches the index from (`${base}/search/...`). The
index config (languages, separator, pipeline) stays as it was, so searching works as before.
"""

from __future__ import annotations

import json
import posixpath
import re
from pathlib import Path

from mkdocs.plugins import event_priority

PREFIX = "en/"
_BASE = re.compile(r'("base":\s*")([^"]*)(")')
_CONFIG = re.compile(r'(<script id="__config" type="application/json">)(.*?)(</script>)', re.DOTALL)


def nested_build(config) -> bool:
    """True inside the i18n plugin's build of another language (the final index is not written yet)."""
    i18n = config.plugins.get("i18n")
    return bool(getattr(i18n, "building", False))


def split(index: dict) -> tuple[dict, dict]:
    """(Vietnamese index, English index with locations relative to en/)."""
    vi = [d for d in index["docs"] if not d["location"].startswith(PREFIX)]
    en = [{**d, "location": d["location"][len(PREFIX):]} for d in index["docs"] if d["location"].startswith(PREFIX)]
    return {**index, "docs": vi}, {**index, "docs": en}


def rebase(html: str, page_dir: str) -> str:
    """The page's Material config with base = the relative path from page_dir to en/."""
    base = posixpath.relpath(PREFIX.rstrip("/"), page_dir) if page_dir else PREFIX.rstrip("/")

    def config_block(match: re.Match) -> str:
        return match.group(1) + _BASE.sub(lambda b: b.group(1) + base + b.group(3), match.group(2), count=1) \
            + match.group(3)

    return _CONFIG.sub(config_block, html, count=1)


# After i18n's own post-build (which writes the shared index) and search_fold.py's (-100).
@event_priority(-200)
def on_post_build(config, **kwargs) -> None:
    if nested_build(config):
        return
    site = Path(config["site_dir"])
    path = site / "search" / "search_index.json"
    if not path.exists() or not (site / PREFIX).is_dir():
        return
    vi, en = split(json.loads(path.read_text("utf-8")))
    if not en["docs"]:
        return
    path.write_text(json.dumps(vi, ensure_ascii=False, separators=(",", ":")), "utf-8")
    (site / PREFIX / "search").mkdir(exist_ok=True)
    (site / PREFIX / "search" / "search_index.json").write_text(
        json.dumps(en, ensure_ascii=False, separators=(",", ":")), "utf-8")
    for page in (site / PREFIX).rglob("*.html"):
        page_dir = page.parent.relative_to(site).as_posix()
        html = page.read_text("utf-8")
        rebased = rebase(html, page_dir)
        if rebased != html:
            page.write_text(rebased, "utf-8")
