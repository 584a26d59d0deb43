"""quiz_api/labels.py is the one catalogue of user-facing words: no Vietnamese elsewhere in the service.

What is scanned: every string constant of quiz_api/**/*.py (through `ast`, so comments and docstrings,
which speak to developers, are skipped; the constant parts of f-strings are scanned like any string:
logs are written in English, so no message is exempt), and the text of every template under quiz_api/
(Jinja comments skipped). Not scanned: the catalogue itself, the question banks (quiz_api/banks/*.yaml)
and the province profiles (quiz_api/profiles/), which are content, not code; nor the lesson docs.
"""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

from quiz_api import labels

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "quiz_api"
CATALOGUE = PACKAGE / "labels.py"

# Vietnamese letters with diacritics (lower case; matched case-insensitively). Plain ASCII words such as
# "T3" or "Email" cannot be told from English and are not looked for.
VIETNAMESE = re.compile("[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]", re.IGNORECASE)
IF_EN_ELSE = re.compile(r"\bif\s+en\s+else\b")
JINJA_COMMENT = re.compile(r"\{#.*?#\}", re.DOTALL)

# Vietnamese that is data, not a label: (file, how the string starts) -> why it stays where it is.
ALLOWED: dict[tuple[str, str], str] = {
    ("quiz_api/banks/itemcheck.py", r"\b(tất cả"):
        "a pattern that finds 'all of the above' in a bank's Vietnamese questions: it reads text, shows none",
    ("quiz_api/banks/itemcheck.py", r"\b(nào|gì)"):
        "a pattern that finds negatively worded Vietnamese questions: it reads text, shows none",
    ("quiz_api/certificates/schemas.py", 'masked name, e.g. "Nguyễn V. A."'):
        "an example value in the API schema's description, for developers: a masked name is data",
    ("quiz_api/reports/demo.py", "Học viên mẫu "):
        "the demo seed's sample learner names: rows written to the database, not a label",
    ("quiz_api/reports/demo.py", "xã"):
        "a unit kind as the province profile spells it, compared with units.kind (data)",
    ("quiz_api/reports/demo.py", "phường"):
        "a unit kind as the province profile spells it, compared with units.kind (data)",
    ("quiz_api/opendata/router.py", "kỹ năng số"):
        "a keyword of the open data package (datapackage.json), for portals that search in Vietnamese",
    ("quiz_api/opendata/router.py", "chuyển đổi số"):
        "a keyword of the open data package (datapackage.json), for portals that search in Vietnamese",
    **{("quiz_api/opendata/service.py", kind): "a unit kind as the province profile spells it, compared "
       "with units.kind (data)" for kind in ("xã", "phường", "thị trấn", "đặc khu", "tỉnh")},
    **{("quiz_api/reports/annual_docx.py", prefix): "a prefix of the province's name in the profile, "
       "removed to name the place (data)" for prefix in ("Tỉnh ", "Thành phố ", "tỉnh ", "thành phố ")},
}


def _docstrings(tree: ast.AST) -> set[int]:
    """The ids of the constants that are docstrings (a module's, class's or function's first statement)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def python_strings(source: str) -> list[tuple[int, str]]:
    """(line, value) of every string constant with a Vietnamese letter, docstrings left out."""
    tree = ast.parse(source)
    docs = _docstrings(tree)
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs
            and VIETNAMESE.search(node.value)]


def template_lines(text: str) -> list[tuple[int, str]]:
    """(line, text) of every template line with a Vietnamese letter or an `if en else`, comments left out."""
    text = JINJA_COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    return [(n, line.strip()) for n, line in enumerate(text.splitlines(), 1)
            if VIETNAMESE.search(line) or IF_EN_ELSE.search(line)]


def _allowed(path: str, value: str) -> str | None:
    for where, start in ALLOWED:
        if where == path and value.startswith(start):
            return start
    return None


def _python_files() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if p != CATALOGUE and "profiles" not in p.parts)


def _templates() -> list[Path]:
    return sorted(PACKAGE.rglob("*.html"))


def test_no_vietnamese_string_in_the_code_outside_the_catalogue():
    found = []
    for path in _python_files():
        rel = path.relative_to(ROOT).as_posix()
        found += [f"{rel}:{line}: {value[:60]!r}" for line, value in python_strings(path.read_text(encoding="utf-8"))
                  if not _allowed(rel, value)]
    assert found == [], "move these words into quiz_api/labels.py and read them with t():\n" + "\n".join(found)


def test_no_vietnamese_and_no_if_en_else_in_the_templates():
    templates = _templates()
    assert any(p.name == "quiz_start.html" for p in templates), "the scan should see the templates"
    found = [f"{p.relative_to(ROOT).as_posix()}:{n}: {line[:80]}"
             for p in templates for n, line in template_lines(p.read_text(encoding="utf-8"))]
    assert found == [], "use {{ t(\"key\") }} with an entry in quiz_api/labels.py:\n" + "\n".join(found)


def test_every_allowed_exception_is_still_needed():
    used = set()
    for path in _python_files():
        rel = path.relative_to(ROOT).as_posix()
        used |= {(rel, start) for _, value in python_strings(path.read_text(encoding="utf-8"))
                 if (start := _allowed(rel, value))}
    assert set(ALLOWED) - used == set(), "remove allowlist entries that match nothing"


def test_the_scans_find_what_they_look_for():
    source = '"""Tài liệu: a docstring is for developers."""\n# chú thích\nX = f"Xin chào {name}"\nY = "plain"\n'
    assert python_strings(source) == [(3, "Xin chào ")]
    text = '{# Ghi chú #}\n<p>{{ "Home" if en else "Trang chủ" }}</p>\n<p>{{ t("x") }}</p>\n<p>Đạt</p>\n'
    assert [n for n, _ in template_lines(text)] == [2, 4]
    assert template_lines("<p>{{ '?lang=en' if en else '' }}</p>") != []


# --- the catalogue itself --------------------------------------------------------------------------

def _params(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


# Dates are written differently: Vietnamese numbers the month, English names it.
DATE_FORMATS = {"certificate.long_date", "dashboard.month_short"}


@pytest.mark.parametrize("key", sorted(labels.MESSAGES))
def test_every_entry_speaks_every_language_with_the_same_parameters(key):
    entry = labels.MESSAGES[key]
    assert set(entry) == set(labels.LANGS)
    assert all(entry[lang].strip() for lang in labels.LANGS)
    if key not in DATE_FORMATS:
        assert _params(entry["vi"]) == _params(entry["en"])


def test_entries_hold_no_markup():
    """Templates escape every entry: a tag in the catalogue would show as text (markup stays in templates)."""
    tagged = [key for key, entry in labels.MESSAGES.items() for text in entry.values() if re.search(r"<[a-z/!]", text)]
    assert tagged == []


def test_every_key_the_templates_and_the_code_ask_for_exists():
    asked = re.compile(r"""\bt\(\s*(["'])([A-Za-z0-9_.]+)\1""")
    missing = []
    for path in [*_templates(), *_python_files()]:
        for match in asked.finditer(path.read_text(encoding="utf-8")):
            if match.group(2) not in labels.MESSAGES:
                missing.append(f"{path.relative_to(ROOT).as_posix()}: {match.group(2)}")
    assert missing == []


def test_every_page_entry_is_used():
    """A `<page>.<name>` entry left behind by an edited template is dead weight: every one is asked for."""
    code = "\n".join(p.read_text(encoding="utf-8") for p in [*_templates(), *_python_files()])
    pages = {p.stem for p in _templates()} | {"common"}
    unused = [key for key in labels.MESSAGES if key.split(".")[0] in pages and f'"{key}"' not in code
              and f"'{key}'" not in code]
    assert unused == []


def test_groups_and_languages_are_spelled_once():
    assert tuple(labels.GROUPS) == labels.GROUP_IDS
    assert all(set(names) == set(labels.LANGS) for names in labels.GROUPS.values())
    assert labels.DEFAULT_LANG in labels.LANGS
    spelled = re.compile(r"""(["'])public_servant\1\s*,\s*(["'])business\2|(["'])vi\3\s*,\s*(["'])en\4""")
    again = [p.relative_to(ROOT).as_posix() for p in _python_files() if spelled.search(p.read_text(encoding="utf-8"))]
    assert again == [], "use labels.GROUP_IDS / GroupId and labels.LANGS / Lang"


def test_t_fills_parameters_and_falls_back_to_vietnamese():
    assert labels.t("organiser_accounts.password_min", "en", length=12) == "Password (at least 12 characters)"
    assert labels.t("common.my_data", "fr") == "Dữ liệu của tôi"
    assert labels.bilingual("csv.line", sep="/") == "dòng/line"
