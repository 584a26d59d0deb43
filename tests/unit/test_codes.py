"""Learner and certificate codes: alphabet, check character, normalisation."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from quiz_api import codes

BODY = st.text(alphabet=codes.ALPHABET, min_size=4, max_size=16)


def test_new_codes_are_well_formed_grouped_and_unique():
    made = {codes.new_code(12) for _ in range(2000)}
    assert len(made) == 2000
    for code in list(made)[:50]:
        assert codes.is_well_formed(code, 12)
        assert all(len(part) <= 4 for part in code.split("-"))
        assert not set(codes.normalise(code)) & set("ILOU")


@given(BODY, st.data())
def test_check_character_catches_every_single_character_typo(body, data):
    raw = body + codes.check_char(body)
    pos = data.draw(st.integers(0, len(raw) - 1))
    replacement = data.draw(st.sampled_from([c for c in codes.ALPHABET if c != raw[pos]]))
    typo = raw[:pos] + replacement + raw[pos + 1:]
    assert not codes.is_well_formed(typo, len(body))


@given(BODY, st.data())
def test_check_character_catches_swapped_neighbours(body, data):
    raw = body + codes.check_char(body)
    pos = data.draw(st.integers(0, len(raw) - 2))
    swapped = raw[:pos] + raw[pos + 1] + raw[pos] + raw[pos + 2:]
    if swapped != raw:
        assert not codes.is_well_formed(swapped, len(body))


def test_input_is_forgiving_about_case_separators_and_look_alike_letters():
    body = "0011ABCD"
    code = codes.format_code(body + codes.check_char(body))
    typed = code.lower().replace("0", "o").replace("1", "l").replace("-", " ")
    assert codes.is_well_formed(typed, 8)
    assert codes.normalise(typed) == body + codes.check_char(body)


def test_wrong_length_or_alphabet_is_not_well_formed():
    assert not codes.is_well_formed("", 8)
    assert not codes.is_well_formed("ABC", 8)
    assert not codes.is_well_formed("ÀBCD-EFGH-J", 8)
