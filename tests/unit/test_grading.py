"""Drawing, shuffling and grading: pure functions, tested exhaustively and by property."""

from __future__ import annotations

import random
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quiz_api.grading import AnswerError, GradingQuestion, draw_questions, grade, shuffle_choices


def bank(lessons: int = 4, per_lesson: int = 5) -> dict[str, GradingQuestion]:
    out = {}
    for lesson in range(lessons):
        for k in range(per_lesson):
            qid = f"q{lesson}-{k}"
            kind = ("single", "multiple", "true_false")[k % 3]
            choices = ("t", "f") if kind == "true_false" else ("a", "b", "c", "d")
            correct = {"single": {"b"}, "multiple": {"a", "c"}, "true_false": {"t"}}[kind]
            out[qid] = GradingQuestion(qid, kind, f"lesson{lesson}.md", choices, frozenset(correct))
    return out


QUESTIONS = bank()


def test_draw_takes_the_requested_number_of_distinct_questions():
    draw = draw_questions(list(QUESTIONS.values()), 10, random.Random(1))
    ids = [qid for qid, _ in draw]
    assert len(ids) == 10 and len(set(ids)) == 10


def test_draw_spreads_questions_evenly_over_lessons():
    for seed in range(50):
        draw = draw_questions(list(QUESTIONS.values()), 10, random.Random(seed))
        per_lesson = Counter(QUESTIONS[qid].lesson_page for qid, _ in draw)
        assert len(per_lesson) == 4
        assert max(per_lesson.values()) - min(per_lesson.values()) <= 1


def test_draw_never_asks_for_more_questions_than_the_bank_has():
    draw = draw_questions(list(QUESTIONS.values()), 100, random.Random(3))
    assert sorted(qid for qid, _ in draw) == sorted(QUESTIONS)


def test_draw_varies_between_attempts():
    draws = {tuple(q for q, _ in draw_questions(list(QUESTIONS.values()), 10, random.Random(s))) for s in range(20)}
    assert len(draws) > 15


def test_shuffled_choices_are_a_permutation_and_true_false_keeps_its_order():
    rng = random.Random(5)
    orders = set()
    for _ in range(50):
        order = shuffle_choices(QUESTIONS["q0-0"], rng)
        assert sorted(order) == ["a", "b", "c", "d"]
        orders.add(tuple(order))
        assert shuffle_choices(QUESTIONS["q0-2"], rng) == ["t", "f"]
    assert len(orders) > 5


def _draw(ids):
    return [(qid, list(QUESTIONS[qid].choice_ids)) for qid in ids]


def test_grade_counts_exact_matches_only():
    draw = _draw(["q0-0", "q0-1", "q0-2"])
    result = grade(draw, {"q0-0": ["b"], "q0-1": ["a"], "q0-2": ["t"]}, QUESTIONS, 0.8)
    assert [i.correct for i in result.items] == [True, False, True]  # partial multiple is wrong
    assert result.correct_count == 2 and result.question_count == 3
    assert result.score == pytest.approx(0.6667, abs=1e-4)
    assert not result.passed


def test_multiple_choice_order_and_repeats_do_not_matter():
    result = grade(_draw(["q0-1"]), {"q0-1": ["c", "a", "c"]}, QUESTIONS, 1.0)
    assert result.items[0].correct and result.items[0].chosen == ("a", "c")


def test_unanswered_and_empty_answers_count_as_wrong():
    result = grade(_draw(["q0-0", "q1-0"]), {"q0-0": []}, QUESTIONS, 0.5)
    assert result.correct_count == 0 and not result.passed


def test_pass_mark_is_inclusive_without_floating_point_surprises():
    ids = [f"q{lesson}-{k}" for lesson in range(2) for k in range(5)]
    answers = {qid: sorted(QUESTIONS[qid].correct) for qid in ids[:8]}
    assert grade(_draw(ids), answers, QUESTIONS, 0.8).passed  # 8/10 at 0.8
    answers.pop(ids[0])
    assert not grade(_draw(ids), answers, QUESTIONS, 0.8).passed  # 7/10


@pytest.mark.parametrize("answers, reason", [
    ({"nope": ["a"]}, "unknown_question"),
    ({"q0-0": ["z"]}, "unknown_choice"),
    ({"q0-0": ["a", "b"]}, "one_choice_only"),
    ({"q0-2": ["t", "f"]}, "one_choice_only"),
    ({"q1-0": ["b"]}, "unknown_question"),  # in the bank, but not drawn in this attempt
])
def test_answers_that_do_not_fit_the_attempt_are_refused(answers, reason):
    with pytest.raises(AnswerError) as err:
        grade(_draw(["q0-0", "q0-1", "q0-2"]), answers, QUESTIONS, 0.8)
    assert err.value.reason == reason


@given(st.data())
def test_grading_property_score_is_the_share_of_exact_matches(data):
    ids = data.draw(st.lists(st.sampled_from(sorted(QUESTIONS)), min_size=1, max_size=12, unique=True))
    draw = _draw(ids)
    answers = {}
    for qid in ids:
        q = QUESTIONS[qid]
        if q.type == "multiple":
            answers[qid] = data.draw(st.lists(st.sampled_from(q.choice_ids), max_size=4))
        else:
            answers[qid] = data.draw(st.lists(st.sampled_from(q.choice_ids), max_size=1))
    result = grade(draw, answers, QUESTIONS, 0.8)
    expected = sum(1 for qid in ids if answers[qid] and set(answers[qid]) == QUESTIONS[qid].correct)
    assert result.correct_count == expected
    assert 0 <= result.score <= 1
    assert result.passed == (expected / len(ids) >= 0.8 - 1e-9)
