"""Certificate codes as people type them: one canonical form, typos caught by the check character."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quiz_api import codes
from quiz_api.certificates import service as certificates
from quiz_api.errors import NotFound

BODY = st.text(alphabet=codes.ALPHABET, min_size=certificates.CODE_LENGTH, max_size=certificates.CODE_LENGTH)


def printed(body: str) -> str:
    return codes.format_code(body + codes.check_char(body))


@given(BODY, st.sampled_from(["upper", "lower", "spaces", "no-hyphens", "look-alikes"]))
def test_every_way_of_typing_a_code_finds_the_printed_one(body, style):
    code = printed(body)
    typed = {
        "upper": code,
        "lower": code.lower(),
        "spaces": code.replace("-", " "),
        "no-hyphens": code.replace("-", ""),
        "look-alikes": code.replace("0", "O").replace("1", "I"),
    }[style]
    assert certificates.canonical_code(f"  {typed} ".strip()) == code


@given(BODY, st.data())
def test_any_single_typo_is_reported_as_mistyped(body, data):
    raw = body + codes.check_char(body)
    pos = data.draw(st.integers(0, len(raw) - 1))
    wrong = data.draw(st.sampled_from([c for c in codes.ALPHABET if c != raw[pos]]))
    with pytest.raises(NotFound) as caught:
        certificates.canonical_code(raw[:pos] + wrong + raw[pos + 1:])
    assert caught.value.key == "mistyped_code"


def test_issued_codes_are_eight_characters_plus_a_check_in_three_groups():
    for _ in range(200):
        code = codes.new_code(certificates.CODE_LENGTH)
        assert len(code) == 11 and code[4] == code[9] == "-"
        assert certificates.canonical_code(code) == code


def test_learner_codes_do_not_pass_as_certificate_codes():
    from quiz_api.learners import service as learners

    with pytest.raises(NotFound):
        certificates.canonical_code(codes.new_code(learners.CODE_LENGTH))
