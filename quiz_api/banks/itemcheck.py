"""Item-writing checks: can a bank's quiz be passed without reading the lessons?

Pure functions over a loaded Bank, printed per bank by `kynangso banks check` and asserted by the
content tests. A test-wise learner who picks the longest option passed 8-16% of attempts on banks
where the key was the longest option in 74% of single-choice questions, against 0.05% for random
guessing; these checks keep that cue (and the other classic item-writing flaws) out.
"""

from __future__ import annotations

import difflib
import random
import re
import statistics
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from quiz_api.banks.loader import Bank, Question
from quiz_api.grading import draw_questions, grade

# Thresholds that fail the check (per bank and language).
MAX_KEY_LONGEST = 0.35  # share of single-choice questions whose key is strictly the longest option
MAX_TEST_WISE_PASS = 0.02  # share of simulated attempts a longest-option learner passes
SIMULATED_ATTEMPTS = 1000
NEAR_DUPLICATE = 0.9  # difflib ratio of two normalised stems
OUTLIER_SLACK = 0.2  # a key shorter than 80% of the shortest distractor or longer than 120% of the longest

_ALL_OR_NONE = {
    "vi": re.compile(r"\b(tất cả (các )?(đáp án|ý|phương án)|cả (ba|bốn|hai) (đáp án|ý|phương án)|"
                     r"không (có )?(đáp án|ý|phương án) nào)", re.IGNORECASE),
    "en": re.compile(r"\b(all|none|both) of the (above|options|answers)\b", re.IGNORECASE),
}
# A question that asks for the wrong one ("Which is NOT ...?") needs the negation emphasised
# (capitals or bold), or a reader misses it. Only the asking sentence counts: a scenario may say
# "not" freely.
_NEGATIVE = {
    "vi": re.compile(r"\b(nào|gì)\b[^.?!]*(?<!mà )\b(không|ngoại trừ|trừ)\b[^.?!]*\?|"
                     r"(?<!mà )\b(không|ngoại trừ|trừ)\b[^.?!]*\b(nào|gì)\b[^.?!]*\?", re.IGNORECASE),
    "en": re.compile(r"\b(which|what|who)\b[^.?!]*\b(not|except|never)\b[^.?!]*\?", re.IGNORECASE),
}


def _length(text: str) -> int:
    return len(text.strip())


def key_is_longest(question: Question, lang: str) -> bool:
    """Single choice: the key is strictly longer than every wrong option."""
    (key,) = question.correct
    lengths = {c.id: _length(c.text[lang]) for c in question.choices}
    return all(lengths[key] > n for cid, n in lengths.items() if cid != key)


def key_is_outlier(question: Question, lang: str) -> bool:
    """Single choice: the key's length falls outside the wrong options' range by more than the slack."""
    (key,) = question.correct
    wrong = [_length(c.text[lang]) for c in question.choices if c.id != key]
    n = _length(question.choice_text(key, lang))
    return bool(wrong) and not min(wrong) * (1 - OUTLIER_SLACK) <= n <= max(wrong) * (1 + OUTLIER_SLACK)


def _negative_unemphasised(stem: str, lang: str) -> bool:
    asking = re.split(r"(?<=[.!:])\s+", stem.strip())[-1]
    emphasised = "**" in asking or any(len(word) >= 3 and word.isupper() for word in re.findall(r"\w+", asking))
    return bool(_NEGATIVE[lang].search(asking)) and not emphasised


def _normalised(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", unicodedata.normalize("NFC", text).lower()).split())


def near_duplicate_stems(questions: Sequence[Question], lang: str) -> list[tuple[str, str, float]]:
    """Pairs of questions whose stems are the same or nearly (ratio >= NEAR_DUPLICATE)."""
    stems = [(q.id, _normalised(q.text[lang])) for q in questions]
    pairs = []
    for i, (a, sa) in enumerate(stems):
        for b, sb in stems[i + 1:]:
            matcher = difflib.SequenceMatcher(None, sa, sb, autojunk=False)
            if matcher.real_quick_ratio() >= NEAR_DUPLICATE and matcher.quick_ratio() >= NEAR_DUPLICATE:
                ratio = matcher.ratio()
                if ratio >= NEAR_DUPLICATE:
                    pairs.append((a, b, round(ratio, 3)))
    return pairs


def longest_option_learner(question: Question, shown: list[str], rng: random.Random, lang: str = "vi") -> list[str]:
    """The learner who reads only the options' lengths: the longest on single choice (ties at random),
    every option longer than the median on multiple choice, a coin on true/false."""
    lengths = {cid: _length(question.choice_text(cid, lang)) for cid in shown}
    if question.type == "true_false":
        return [rng.choice(shown)]
    if question.type == "multiple":
        median = statistics.median(lengths.values())
        return [cid for cid in shown if lengths[cid] > median] or [rng.choice(shown)]
    longest = max(lengths.values())
    return [rng.choice([cid for cid in shown if lengths[cid] == longest])]


def random_guess(question: Question, shown: list[str], rng: random.Random, lang: str = "vi") -> list[str]:
    """One option at random; on multiple choice a random non-empty set."""
    if question.type != "multiple":
        return [rng.choice(shown)]
    while True:
        chosen = [cid for cid in shown if rng.random() < 0.5]
        if chosen:
            return chosen


def pass_rate(bank: Bank, picker: Callable[..., list[str]], lang: str, *, attempts: int = SIMULATED_ATTEMPTS,
              seed: int = 91) -> float:
    """The share of simulated attempts (drawn as the service draws them) that `picker` passes."""
    rng = random.Random(seed)
    pool = list(bank.grading.values())
    passed = 0
    for _ in range(attempts):
        draw = draw_questions(pool, bank.questions_per_attempt, rng)
        answers = {qid: picker(bank.questions[qid], shown, rng, lang) for qid, shown in draw}
        passed += grade(draw, answers, bank.grading, bank.pass_mark).passed
    return passed / attempts


@dataclass(frozen=True)
class ItemReport:
    bank: str
    lang: str
    single: int
    key_longest: list[str]
    key_outliers: list[str]
    all_or_none: list[str]
    negative_unemphasised: list[str]
    near_duplicates: list[tuple[str, str, float]]
    length_ratio_median: float  # key length / mean wrong-option length, single choice
    test_wise_pass: float
    random_pass: float

    @property
    def key_longest_share(self) -> float:
        return len(self.key_longest) / self.single if self.single else 0.0

    def failures(self) -> list[str]:
        """What fails the check; the rest of the report is advice."""
        out = []
        if self.key_longest_share > MAX_KEY_LONGEST:
            out.append(f"the key is the longest option in {self.key_longest_share:.0%} of single-choice questions "
                       f"(at most {MAX_KEY_LONGEST:.0%}): {', '.join(self.key_longest)}")
        if self.test_wise_pass > MAX_TEST_WISE_PASS:
            out.append(f"a longest-option learner passes {self.test_wise_pass:.1%} of attempts "
                       f"(at most {MAX_TEST_WISE_PASS:.0%})")
        if self.all_or_none:
            out.append(f"'all/none of the above' options: {', '.join(self.all_or_none)}")
        if self.near_duplicates:
            out.append("duplicate or near-duplicate stems: "
                       + ", ".join(f"{a}~{b} ({r:.2f})" for a, b, r in self.near_duplicates))
        return out

    def lines(self) -> list[str]:
        negative = ", ".join(self.negative_unemphasised)
        return [
            (f"  [{self.lang}] key longest {len(self.key_longest)}/{self.single} ({self.key_longest_share:.0%}); "
             f"key/wrong length median {self.length_ratio_median:.2f}, outliers {len(self.key_outliers)}; "
             f"test-wise pass {self.test_wise_pass:.1%}, random {self.random_pass:.2%} "
             f"({SIMULATED_ATTEMPTS} attempts)"),
            (f"       all/none-of-the-above {len(self.all_or_none)}, negative stems without emphasis "
             f"{len(self.negative_unemphasised)}{f' ({negative})' if negative else ''}, "
             f"near-duplicate stems {len(self.near_duplicates)}"),
        ]


def report(bank: Bank, lang: str, *, attempts: int = SIMULATED_ATTEMPTS) -> ItemReport:
    questions = list(bank.questions.values())
    single = [q for q in questions if q.type == "single" and len(q.correct) == 1]
    ratios = []
    for q in single:
        (key,) = q.correct
        wrong = [_length(c.text[lang]) for c in q.choices if c.id != key]
        if wrong and sum(wrong):
            ratios.append(_length(q.choice_text(key, lang)) / (sum(wrong) / len(wrong)))
    return ItemReport(
        bank=bank.id, lang=lang, single=len(single),
        key_longest=[q.id for q in single if key_is_longest(q, lang)],
        key_outliers=[q.id for q in single if key_is_outlier(q, lang)],
        all_or_none=[q.id for q in questions
                     if any(_ALL_OR_NONE[lang].search(c.text[lang]) for c in q.choices)],
        negative_unemphasised=[q.id for q in questions if _negative_unemphasised(q.text[lang], lang)],
        near_duplicates=near_duplicate_stems(questions, lang),
        length_ratio_median=round(statistics.median(ratios), 2) if ratios else 0.0,
        test_wise_pass=pass_rate(bank, longest_option_learner, lang, attempts=attempts),
        random_pass=pass_rate(bank, random_guess, lang, attempts=attempts),
    )
