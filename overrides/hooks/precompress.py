"""MkDocs hook: write gzip and brotli copies of the built site's text files, for the server to send.

The application (quiz_api/staticsite.py) answers a request for `x.html` with `x.html.br` or
`x.html.gz` when the browser accepts that encoding. Compressing once here costs nothing per
request; the search index shrinks to about a quarter. Brotli needs the
`brotli` package; without it only gzip copies are made. A copy that is not smaller is not kept.
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path

from mkdocs.plugins import event_priority

try:
    import brotli
except ImportError:  # gzip alone still saves most of it
    brotli = None

SUFFIXES = {".html", ".css", ".js", ".json", ".svg", ".xml", ".txt", ".webmanifest"}
MIN_SIZE = 256  # below this the headers cost more than the saving
# Brotli's best quality (11) costs far more time than it saves bytes except on scripts and
# stylesheets, which every page loads: measured on this site, 11 everywhere took 25 s of CPU for
# 1.49 MB; 11 for CSS/JS up to 150 kB and 7 for the rest, 1.4 s for 1.38 MB.
BEST_QUALITY_SUFFIXES = {".css", ".js"}
BEST_QUALITY_UP_TO = 150 * 1024


def compress(path: Path) -> None:
    data = path.read_bytes()
    if len(data) < MIN_SIZE:
        return
    copies = {".gz": gzip.compress(data, compresslevel=9, mtime=0)}
    if brotli is not None:
        quality = 11 if path.suffix in BEST_QUALITY_SUFFIXES and len(data) <= BEST_QUALITY_UP_TO else 7
        copies[".br"] = brotli.compress(data, quality=quality, mode=brotli.MODE_TEXT)
    stat = path.stat()
    for suffix, packed in copies.items():
        target = path.with_name(path.name + suffix)
        if len(packed) < len(data):
            target.write_bytes(packed)
            os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # Last-Modified: the original's
        elif target.exists():
            target.unlink()


# After every other post-build step (the search index is rewritten by i18n and search_fold.py).
@event_priority(-1000)
def on_post_build(config, **kwargs) -> None:
    if getattr(config.plugins.get("i18n"), "building", False):
        return  # inside i18n's build of another language: the final pass compresses everything once
    for path in Path(config["site_dir"]).rglob("*"):
        if path.suffix in SUFFIXES and path.is_file():
            compress(path)
