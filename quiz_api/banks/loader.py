"""Load, validate and look up question banks (format: see BRIEF.md, "Question bank format")."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from quiz_api.grading import GradingQuestion
from quiz_api.labels import LANGS

TYPES = ("single", "multiple", "true_false")
_LESSON = re.compile(r"^[a-z0-9][a-z0-9/_-]*\.md#[A-Za-z0-9_-]+$")
_ANCHOR = re.compile(r"""\{[^}]*#([A-Za-z0-9_-]+)[^}]*\}|\bid=["']([A-Za-z0-9_-]+)["']""")


class BankError(ValueError):
    """A bank file is invalid; `problems` lists every problem found, one line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Choice:
    id: str
    text: dict[str, str]


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    text: dict[str, str]
    choices: tuple[Choice, ...]
    correct: frozenset[str]
    explanation: dict[str, str]
    lesson: str  # "module/page.md#anchor", relative to docs/

    @property
    def lesson_page(self) -> str:
        return self.lesson.split("#", 1)[0]

    @property
    def anchor(self) -> str:
        return self.lesson.split("#", 1)[1]

    def choice_text(self, choice_id: str, lang: str) -> str:
        return next(c.text[lang] for c in self.choices if c.id == choice_id)

    def for_grading(self) -> GradingQuestion:
        return GradingQuestion(self.id, self.type, self.lesson_page, tuple(c.id for c in self.choices), self.correct)


@dataclass(frozen=True)
class Bank:
    id: str
    title: dict[str, str]
    pass_mark: float
    questions_per_attempt: int
    questions: dict[str, Question]
    grading: dict[str, GradingQuestion] = field(repr=False)

    @property
    def overview_page(self) -> str:
        return f"{self.id}/index.md"


def lesson_url(lesson: str, lang: str) -> str:
    """Site URL of a docs page (+ anchor): 'm/p.md#a' -> '/m/p/#a' (vi) or '/en/m/p/#a' (en)."""
    page, _, anchor = lesson.partition("#")
    path = page[: -len(".md")]
    if path == "index" or path.endswith("/index"):
        path = path[: -len("index")]
    else:
        path += "/"
    url = ("/en/" if lang == "en" else "/") + path
    return url + (f"#{anchor}" if anchor else "")


def _texts(value: Any, where: str, problems: list[str]) -> dict[str, str]:
    if not isinstance(value, dict):
        problems.append(f"{where}: expected {{vi: ..., en: ...}}")
        return {lang: "" for lang in LANGS}
    for lang in LANGS:
        if not isinstance(value.get(lang), str) or not value[lang].strip():
            problems.append(f"{where}: missing or empty '{lang}' text")
    return {lang: str(value.get(lang, "")).strip() for lang in LANGS}


def _question(raw: Any, where: str, problems: list[str]) -> Question | None:
    if not isinstance(raw, dict):
        problems.append(f"{where}: a question must be a mapping")
        return None
    qid = str(raw.get("id", ""))
    where = f"{where} ({qid or 'no id'})"
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", qid):
        problems.append(f"{where}: id must be 1-64 ASCII letters, digits, '-' or '_'")
    qtype = raw.get("type")
    if qtype not in TYPES:
        problems.append(f"{where}: type must be one of {', '.join(TYPES)}")
    text = _texts(raw.get("text"), f"{where} text", problems)
    choices: list[Choice] = []
    raw_choices = raw.get("choices")
    if not isinstance(raw_choices, list) or len(raw_choices) < 2:
        problems.append(f"{where}: needs at least two choices")
        raw_choices = []
    for i, rc in enumerate(raw_choices):
        if not isinstance(rc, dict) or not re.fullmatch(r"[A-Za-z0-9_-]{1,16}", str(rc.get("id", ""))):
            problems.append(f"{where} choice {i + 1}: needs an ASCII id")
            continue
        choices.append(Choice(str(rc["id"]), _texts(rc.get("text"), f"{where} choice {rc['id']}", problems)))
    ids = [c.id for c in choices]
    if len(ids) != len(set(ids)):
        problems.append(f"{where}: choice ids repeat")
    correct = raw.get("correct")
    if not isinstance(correct, list) or not correct:
        problems.append(f"{where}: correct must be a non-empty list of choice ids")
        correct = []
    correct_set = frozenset(str(c) for c in correct)
    if not correct_set <= set(ids):
        problems.append(f"{where}: correct {sorted(correct_set - set(ids))} not among the choices")
    if qtype in ("single", "true_false") and len(correct_set) != 1:
        problems.append(f"{where}: a {qtype} question has exactly one correct choice")
    if qtype == "true_false" and set(ids) != {"t", "f"}:
        problems.append(f"{where}: a true_false question has exactly the choices 't' and 'f'")
    explanation = _texts(raw.get("explanation"), f"{where} explanation", problems)
    lesson = str(raw.get("lesson", ""))
    if not _LESSON.match(lesson):
        problems.append(f"{where}: lesson must look like 'module/page.md#heading-id'")
    return Question(qid, str(qtype), text, tuple(choices), correct_set, explanation, lesson)


def load_bank(path: Path) -> Bank:
    """Read and validate one bank file; raise BankError listing every problem."""
    problems: list[str] = []
    try:
        raw = yaml.safe_load(path.read_text("utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise BankError([f"{path.name}: cannot read YAML: {exc}"]) from exc
    if not isinstance(raw, dict):
        raise BankError([f"{path.name}: expected a mapping at the top level"])
    bank_id = str(raw.get("id", ""))
    if bank_id != path.stem:
        problems.append(f"{path.name}: id '{bank_id}' must equal the file name '{path.stem}'")
    title = _texts(raw.get("title"), f"{path.name} title", problems)
    pass_mark = raw.get("pass_mark")
    if not isinstance(pass_mark, int | float) or not 0 < pass_mark <= 1:
        problems.append(f"{path.name}: pass_mark must be a number in (0, 1]")
        pass_mark = 1.0
    per_attempt = raw.get("questions_per_attempt")
    questions: dict[str, Question] = {}
    for i, rq in enumerate(raw.get("questions") or []):
        q = _question(rq, f"{path.name} question {i + 1}", problems)
        if q is None:
            continue
        if q.id in questions:
            problems.append(f"{path.name}: question id {q.id} repeats")
        questions[q.id] = q
    if not isinstance(per_attempt, int) or not 1 <= per_attempt <= max(len(questions), 1):
        problems.append(f"{path.name}: questions_per_attempt must be between 1 and the number of questions")
        per_attempt = 1
    if problems:
        raise BankError(problems)
    grading = {qid: q.for_grading() for qid, q in questions.items()}
    return Bank(bank_id, title, float(pass_mark), per_attempt, questions, grading)


def load_banks(banks_dir: Path) -> dict[str, Bank]:
    """Load every `*.yaml` bank; question ids must be unique across banks."""
    problems: list[str] = []
    banks: dict[str, Bank] = {}
    seen: dict[str, str] = {}
    for path in sorted(banks_dir.glob("*.yaml")):
        try:
            bank = load_bank(path)
        except BankError as exc:
            problems.extend(exc.problems)
            continue
        for qid in bank.questions:
            if qid in seen:
                problems.append(f"{path.name}: question id {qid} is also used in {seen[qid]}")
            seen[qid] = path.name
        banks[bank.id] = bank
    if problems:
        raise BankError(problems)
    return banks


def _anchors(page: Path) -> set[str]:
    found: set[str] = set()
    for match in _ANCHOR.finditer(page.read_text("utf-8")):
        found.add(match.group(1) or match.group(2))
    return found


def check_banks(banks_dir: Path, docs_dir: Path) -> list[str]:
    """Every problem with the banks, including lesson links that do not resolve in both languages."""
    try:
        banks = load_banks(banks_dir)
    except BankError as exc:
        return exc.problems
    problems: list[str] = []
    cache: dict[Path, set[str] | None] = {}
    for bank in banks.values():
        for page in (bank.overview_page,):
            for suffix in (".md", ".en.md"):
                if not (docs_dir / page.replace(".md", suffix)).exists():
                    problems.append(f"{bank.id}: module overview docs/{page.replace('.md', suffix)} is missing")
        for q in bank.questions.values():
            for suffix in (".md", ".en.md"):
                page = docs_dir / q.lesson_page.replace(".md", suffix)
                if page not in cache:
                    cache[page] = _anchors(page) if page.exists() else None
                anchors = cache[page]
                if anchors is None:
                    problems.append(f"{bank.id} {q.id}: lesson page docs/{page.relative_to(docs_dir)} not found")
                elif q.anchor not in anchors:
                    problems.append(f"{bank.id} {q.id}: heading id #{q.anchor} not in docs/{page.relative_to(docs_dir)}")
    return problems
