"""Pure quiz logic: draw questions, shuffle choices, grade answers. No I/O."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

# A drawn question: its id and its choice ids in the order shown to the learner.
Draw = list[tuple[str, list[str]]]


@dataclass(frozen=True)
class GradingQuestion:
    """What grading needs to know about a question."""

    id: str
    type: str  # single | multiple | true_false
    lesson_page: str
    choice_ids: tuple[str, ...]
    correct: frozenset[str]


class ItemResult(NamedTuple):
    """One drawn question, graded (a tuple: ten of these are made per submission)."""

    question_id: str
    chosen: tuple[str, ...]
    correct: bool


@dataclass(frozen=True)
class GradeResult:
    items: tuple[ItemResult, ...]
    correct_count: int
    question_count: int
    score: float
    passed: bool


class AnswerError(ValueError):
    """The submitted answers do not fit the attempt (unknown question or choice, too many choices)."""

    def __init__(self, reason: str, question_id: str, choice_id: str | None = None) -> None:
        super().__init__(f"{reason}: {question_id}" + (f"/{choice_id}" if choice_id else ""))
        self.reason = reason
        self.question_id = question_id
        self.choice_id = choice_id


def draw_questions(questions: Sequence[GradingQuestion], count: int, rng: random.Random) -> Draw:
    """Draw `count` questions spread evenly over lesson pages, in random order, choices shuffled.

    Lessons are visited round-robin (in a random order), taking a random unused question from each,
    so a 10-question draw from 6 lessons covers all 6. True/false keeps its natural order.
    """
    by_lesson: dict[str, list[GradingQuestion]] = {}
    for q in questions:
        by_lesson.setdefault(q.lesson_page, []).append(q)
    pools = list(by_lesson.values())
    rng.shuffle(pools)
    for pool in pools:
        rng.shuffle(pool)
    chosen: list[GradingQuestion] = []
    count = min(count, len(questions))
    while len(chosen) < count:
        for pool in pools:
            if pool and len(chosen) < count:
                chosen.append(pool.pop())
    rng.shuffle(chosen)
    return [(q.id, shuffle_choices(q, rng)) for q in chosen]


def shuffle_choices(question: GradingQuestion, rng: random.Random) -> list[str]:
    """The question's choice ids in display order: shuffled, except true/false."""
    ids = list(question.choice_ids)
    if question.type != "true_false":
        rng.shuffle(ids)
    return ids


def grade(
    draw: Draw,
    answers: Mapping[str, Sequence[str]],
    questions: Mapping[str, GradingQuestion],
    pass_mark: float,
) -> GradeResult:
    """Grade answers against the drawn questions; an unanswered question counts as wrong.

    A question is right when the set of chosen ids equals the set of correct ids exactly.
    Raises AnswerError for a question not in the draw, a choice not in the question, or
    more than one choice for a single-answer question.
    """
    drawn = dict(draw)  # question id -> its choice ids (a handful: a list is the quickest to search)
    for qid, chosen in answers.items():
        choice_ids = drawn.get(qid)
        if choice_ids is None:
            raise AnswerError("unknown_question", qid)
        for cid in chosen:
            if cid not in choice_ids:
                raise AnswerError("unknown_choice", qid, cid)
        if len(chosen) > 1 and questions[qid].type != "multiple" and len(set(chosen)) > 1:
            raise AnswerError("one_choice_only", qid)
    items = []
    for qid, _ in draw:
        given = answers.get(qid)
        if not given:
            items.append(ItemResult(qid, (), False))
            continue
        chosen = tuple(sorted(set(given))) if len(given) > 1 else tuple(given)
        items.append(ItemResult(qid, chosen, frozenset(chosen) == questions[qid].correct))
    correct_count = sum(item.correct for item in items)
    total = len(items)
    score = correct_count / total if total else 0.0
    # Compare in integers so 8/10 against 0.8 is not lost to floating point.
    passed = total > 0 and correct_count * 1000 >= round(pass_mark * 1000) * total
    return GradeResult(tuple(items), correct_count, total, round(score, 4), passed)
