"""Masking a holder's name for public verification pages: enough to match a person, too little to find one."""

from __future__ import annotations

import unicodedata


def _initial(word: str) -> str | None:
    """The word's first letter or digit, upper-cased (None for a word of punctuation only)."""
    for char in word:
        if char.isalnum():
            return char.upper()
    return None


def _family(word: str) -> str:
    """The family name as written, with a capital first letter (a NAME IN CAPITALS becomes Name)."""
    if word.isupper():
        word = word.lower()
    return word[:1].upper() + word[1:]


def mask_name(full_name: str | None) -> str:
    """'Nguyễn Văn An' -> 'Nguyễn V. A.': the family name (written first in Vietnamese) in full,
    every other word as its initial. A one-word name shows only its initial, since it may be the
    given name. Input is NFC-normalised and its spacing collapsed; no name gives ''."""
    words = unicodedata.normalize("NFC", full_name or "").split()
    if not words:
        return ""
    if len(words) == 1:
        initial = _initial(words[0])
        return f"{initial}." if initial else ""
    initials = [f"{i}." for i in map(_initial, words[1:]) if i]
    return " ".join([_family(words[0]), *initials])
