"""Typed text made safe to store: shared by every domain that keeps what people type."""

from __future__ import annotations

import re
import unicodedata

CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# What a name or a reason never needs and what hides or reorders text: controls, zero-width and
# joiner characters, bidirectional overrides and isolates (a right-to-left override can make
# "Nguyễn" print as something else), soft hyphens, variation selectors, blank "letters" (Hangul
# fillers, the blank braille cell) and lone surrogates.
_INVISIBLE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\u00ad\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f"
                        "\u202a-\u202e\u2060-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff9-\ufffb"
                        "\ud800-\udfff]")


def clean_text(value: str | None) -> str:
    """One line of typed text: NFC, control and invisible characters dropped (PostgreSQL refuses NUL;
    none belongs in a name), runs of spaces collapsed. Text of invisible characters only becomes ''."""
    return " ".join(_INVISIBLE.sub("", unicodedata.normalize("NFC", value or "")).split())
