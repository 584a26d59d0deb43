"""The real banks cannot be passed without reading: the item-writing checks of `kynangso banks check`."""

from __future__ import annotations

from pathlib import Path

import pytest

from quiz_api.banks import itemcheck, load_banks

BANKS = Path(__file__).resolve().parents[2] / "quiz_api" / "banks"
MODULES = ("du-lieu-ca-nhan", "tre-em-tren-mang", "ung-cuu-su-co", "kinh-te-so")


@pytest.fixture(scope="module")
def banks():
    return load_banks(BANKS)


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("module", MODULES)
def test_a_learner_who_picks_the_longest_option_passes_at_most_2_percent(banks, module, lang):
    report = itemcheck.report(banks[module], lang)
    assert report.test_wise_pass <= itemcheck.MAX_TEST_WISE_PASS, report.lines()
    assert report.key_longest_share <= itemcheck.MAX_KEY_LONGEST, report.key_longest


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("module", MODULES)
def test_no_bank_has_all_or_none_of_the_above_or_duplicate_stems(banks, module, lang):
    report = itemcheck.report(banks[module], lang, attempts=1)
    assert report.all_or_none == [] and report.near_duplicates == []
