"""QR codes made in-process (segno, pure Python): no third-party service ever sees a certificate code."""

from __future__ import annotations

from functools import lru_cache

import segno
from markupsafe import Markup


@lru_cache(maxsize=1024)
def qr_svg(url: str) -> Markup:
    """An inline SVG QR code for url, sized by CSS (viewBox only), black on white so it prints.
    Safe to insert unescaped: segno emits only its own path data, never the URL's text."""
    qr = segno.make(url, error="m", micro=False)
    return Markup(qr.svg_inline(scale=1, border=4, omitsize=True, dark="#000", light="#fff",
                                svgclass="kns-qr"))
