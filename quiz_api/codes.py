"""Human-friendly random codes with a check character (learner codes, certificate codes).

Alphabet: Crockford base32 (no I, L, O, U), so codes read aloud and typed from paper survive;
input is normalised (case, spaces, hyphens, O→0, I/L→1). The last character is a Damm check over
the field GF(32) (x·a + b with a ≠ 0, 1 is a totally anti-symmetric quasigroup), so it catches
every single-character typo and every swap of two adjacent different characters.
"""

from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1", "-": None, " ": None})


def _step(interim: int, value: int) -> int:
    """One Damm step over GF(32): interim * x + value (x^5 + x^2 + 1 as the modulus)."""
    doubled = interim << 1
    if doubled & 32:
        doubled ^= 0b100101
    return doubled ^ value


def check_char(body: str) -> str:
    """Damm check character: with it, running _step over the whole code ends at 0."""
    interim = 0
    for c in body:
        interim = _step(interim, _VALUE[c])
    return ALPHABET[_step(interim, 0)]


def new_code(length: int, group: int = 4) -> str:
    """A random code of `length` characters plus a check character, grouped with hyphens."""
    bits = secrets.randbits(5 * length)  # one system call; a choice per character made about two
    body = "".join([ALPHABET[(bits >> (5 * i)) & 31] for i in range(length)])
    return format_code(body + check_char(body), group)


def format_code(raw: str, group: int = 4) -> str:
    return "-".join(raw[i : i + group] for i in range(0, len(raw), group))


def normalise(code: str) -> str:
    """Canonical form of user input: upper case, no separators, confusable letters mapped."""
    return code.upper().translate(_CONFUSABLE)


def is_well_formed(code: str, length: int) -> bool:
    """True when code (normalised) has the right length, alphabet and check character."""
    raw = normalise(code)
    if len(raw) != length + 1 or any(c not in _VALUE for c in raw):
        return False
    interim = 0
    for c in raw:
        interim = _step(interim, _VALUE[c])
    return interim == 0
