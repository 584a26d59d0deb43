"""Typed text made safe to store: shared by every domain that keeps what people type."""

from __future__ import annotations

import re
import unicodedata

CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def clean_text(value: str | None) -> str:
    """One line of typed text: NFC, control characters dropped (PostgreSQL refuses NUL; none belongs
    in a name), runs of spaces collapsed."""
    return " ".join(CONTROLS.sub(" ", unicodedata.normalize("NFC", value or "")).split())
