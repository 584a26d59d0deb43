"""The real question banks: valid, big enough, teaching (explanations + lesson links that resolve)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from quiz_api.banks import check_banks, load_banks
from quiz_api.certificates.service import learning_paths

ROOT = Path(__file__).resolve().parents[2]
BANKS = ROOT / "quiz_api" / "banks"
MODULES = ("du-lieu-ca-nhan", "tre-em-tren-mang", "ung-cuu-su-co", "kinh-te-so")


@pytest.fixture(scope="module")
def banks():
    return load_banks(BANKS)


def test_every_bank_is_valid_and_every_lesson_link_resolves_in_both_languages():
    assert check_banks(BANKS, ROOT / "docs") == []


def test_there_is_one_bank_per_module(banks):
    assert set(banks) == set(MODULES)


@pytest.mark.parametrize("module", MODULES)
def test_each_bank_has_at_least_40_questions_of_every_type_and_draws_10_with_pass_mark_80(banks, module):
    bank = banks[module]
    assert len(bank.questions) >= 40
    assert bank.questions_per_attempt == 10 and bank.pass_mark == 0.8
    types = Counter(q.type for q in bank.questions.values())
    assert set(types) == {"single", "multiple", "true_false"}


@pytest.mark.parametrize("module", MODULES)
def test_questions_link_to_their_own_module_and_cover_every_lesson(banks, module):
    bank = banks[module]
    pages = {q.lesson_page for q in bank.questions.values()}
    assert all(p.startswith(f"{module}/") for p in pages)
    lessons = {f"{module}/{p.name}" for p in (ROOT / "docs" / module).glob("*.md")
               if not p.name.endswith(".en.md") and p.name != "index.md"}
    assert lessons <= pages, f"lessons without a question: {sorted(lessons - pages)}"


def test_explanations_are_real_sentences_not_stubs(banks):
    for bank in banks.values():
        for q in bank.questions.values():
            for lang in ("vi", "en"):
                assert len(q.explanation[lang].split()) >= 6, (q.id, lang)


def test_learning_paths_name_only_existing_modules(banks):
    paths = learning_paths()
    assert set(paths) == {"public_servant", "business", "citizen"}
    for modules in paths.values():
        assert set(modules) <= set(banks)
