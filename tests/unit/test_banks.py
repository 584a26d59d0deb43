"""Bank loading and validation: every rule of the bank format gives a clear problem."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from quiz_api.banks import BankError, check_banks, lesson_url, load_banks
from quiz_api.banks.loader import load_bank

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "banks" / "mau-thu.yaml"


def write(tmp_path: Path, bank: dict, name: str | None = None) -> Path:
    path = tmp_path / f"{name or bank['id']}.yaml"
    path.write_text(yaml.safe_dump(bank, allow_unicode=True), "utf-8")
    return path


def sample() -> dict:
    return yaml.safe_load(FIXTURE.read_text("utf-8"))


def test_the_fixture_bank_loads():
    bank = load_bank(FIXTURE)
    assert bank.id == "mau-thu" and len(bank.questions) == 12 and bank.questions_per_attempt == 5


@pytest.mark.parametrize("mutate, message", [
    (lambda b: b.update(id="khac"), "must equal the file name"),
    (lambda b: b["questions"][0].update(correct=["z"]), "not among the choices"),
    (lambda b: b["questions"][0].update(correct=["a", "b"]), "exactly one correct"),
    (lambda b: b["questions"][0]["text"].pop("en"), "missing or empty 'en'"),
    (lambda b: b["questions"][0]["explanation"].update(vi="  "), "missing or empty 'vi'"),
    (lambda b: b["questions"][1].update(id="mau-001"), "repeats"),
    (lambda b: b["questions"][0].update(lesson="bai-mot.md"), "lesson must look like"),
    (lambda b: b["questions"][0].update(type="essay"), "type must be one of"),
    (lambda b: b["questions"][2]["choices"][0].update(id="d"), "choices 't' and 'f'"),
    (lambda b: b.update(pass_mark=1.5), "pass_mark"),
    (lambda b: b.update(questions_per_attempt=99), "questions_per_attempt"),
    (lambda b: b["questions"][0]["choices"][1].update(id="a"), "choice ids repeat"),
])
def test_invalid_banks_are_refused_with_a_clear_problem(tmp_path, mutate, message):
    bank = sample()
    mutate(bank)
    write(tmp_path, bank, "mau-thu")
    with pytest.raises(BankError) as err:
        load_banks(tmp_path)
    assert any(message in p for p in err.value.problems), err.value.problems


def test_question_ids_must_be_unique_across_banks(tmp_path):
    first = sample()
    second = sample()
    second["id"] = "mau-hai"
    write(tmp_path, first)
    write(tmp_path, second)
    with pytest.raises(BankError, match="also used in"):
        load_banks(tmp_path)


def test_unreadable_yaml_is_a_problem_not_a_crash(tmp_path):
    (tmp_path / "hong.yaml").write_text("id: [unclosed", "utf-8")
    with pytest.raises(BankError, match="cannot read YAML"):
        load_banks(tmp_path)


def test_check_reports_missing_pages_and_anchors_in_both_languages(tmp_path):
    banks = tmp_path / "banks"
    docs = tmp_path / "docs"
    banks.mkdir()
    (docs / "mau-thu").mkdir(parents=True)
    write(banks, sample())
    for suffix in (".md", ".en.md"):
        (docs / "mau-thu" / f"index{suffix}").write_text("# Mẫu { #mau }\n", "utf-8")
        (docs / "mau-thu" / f"bai-mot{suffix}").write_text(
            "# Bài một\n## Một { #muc-1 }\n## Hai { #muc-2 }\n## Ba {: #muc-3 .x }\n", "utf-8")
    (docs / "mau-thu" / "bai-hai.md").write_text("## Một { #muc-1 }\n", "utf-8")
    problems = check_banks(banks, docs)
    assert not any("bai-mot" in p for p in problems)
    assert any("docs/mau-thu/bai-hai.en.md not found" in p for p in problems)
    assert any("#muc-2 not in docs/mau-thu/bai-hai.md" in p for p in problems)
    assert any("bai-ba.md not found" in p for p in problems)


@pytest.mark.parametrize("lesson, lang, url", [
    ("du-lieu-ca-nhan/quyen-cua-chu-the-du-lieu.md#quyen-xoa", "vi", "/du-lieu-ca-nhan/quyen-cua-chu-the-du-lieu/#quyen-xoa"),
    ("du-lieu-ca-nhan/quyen-cua-chu-the-du-lieu.md#quyen-xoa", "en", "/en/du-lieu-ca-nhan/quyen-cua-chu-the-du-lieu/#quyen-xoa"),
    ("du-lieu-ca-nhan/index.md", "vi", "/du-lieu-ca-nhan/"),
    ("index.md", "en", "/en/"),
])
def test_lesson_links_become_site_urls(lesson, lang, url):
    assert lesson_url(lesson, lang) == url
