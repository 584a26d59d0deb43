"""Item-writing checks on small made-up banks: each flaw is found, and the simulation tells the cue."""

from __future__ import annotations

from quiz_api.banks import itemcheck
from quiz_api.banks.loader import Bank, Choice, Question


def question(qid: str, key: str, wrong: list[str], *, stem: str = "Câu hỏi?", qtype: str = "single",
             lesson: str = "m/a.md#x") -> Question:
    choices = (Choice("k", {"vi": key, "en": key}),) + tuple(
        Choice(f"w{i}", {"vi": w, "en": w}) for i, w in enumerate(wrong))
    return Question(qid, qtype, {"vi": stem, "en": stem}, choices, frozenset({"k"}), {"vi": "", "en": ""}, lesson)


def bank(questions: list[Question], per_attempt: int = 10) -> Bank:
    qs = {q.id: q for q in questions}
    return Bank("m", {"vi": "M", "en": "M"}, 0.8, per_attempt, qs, {q.id: q.for_grading() for q in questions})


def test_a_bank_whose_key_is_always_the_longest_fails_and_the_longest_option_learner_always_passes():
    cued = bank([question(f"q{i}", "một đáp án dài hơn hẳn các đáp án khác", ["ngắn", "cụt", "vắn"],
                          stem=f"Tình huống số {i} khác hẳn?", lesson=f"m/p{i % 3}.md#x") for i in range(12)])
    report = itemcheck.report(cued, "vi", attempts=200)
    assert report.key_longest_share == 1.0 and report.test_wise_pass == 1.0
    assert report.random_pass < 0.01
    assert any("longest option" in f for f in report.failures())
    assert len(report.key_outliers) == 12


def test_a_bank_whose_options_are_even_passes_the_length_checks():
    even = bank([question(f"q{i}", "đáp án đúng vừa phải", ["đáp án sai dài hơn một chút", "đáp án sai khác",
                                                           "sai nữa cùng cỡ vừa"],
                          stem=f"Tình huống thứ {i}: chuyện {'abcdefghijkl'[i] * 8}?") for i in range(12)])
    report = itemcheck.report(even, "vi", attempts=200)
    assert report.key_longest == [] and report.test_wise_pass <= 0.02 and report.failures() == []


def test_all_or_none_of_the_above_and_near_duplicate_stems_are_found():
    qs = [question("a", "Tất cả các đáp án trên", ["x", "y", "z"], stem="Bạn nên làm gì khi bị lừa?"),
          question("b", "k", ["None of the above", "y", "z"], stem="Bạn nên làm gì khi bị lừa ?"),
          question("c", "k", ["x", "y", "z"], stem="Một câu hỏi hoàn toàn khác về mật khẩu")]
    report_vi, report_en = itemcheck.report(bank(qs, 3), "vi", attempts=1), itemcheck.report(bank(qs, 3), "en", attempts=1)
    assert report_vi.all_or_none == ["a"] and "b" in report_en.all_or_none
    assert [(a, b) for a, b, _ in report_vi.near_duplicates] == [("a", "b")]


def test_a_negative_question_needs_emphasis_but_a_scenario_may_say_not():
    assert itemcheck._negative_unemphasised("Điều nào sau đây không phải là dữ liệu cá nhân?", "vi")
    assert not itemcheck._negative_unemphasised("Điều nào sau đây KHÔNG phải là dữ liệu cá nhân?", "vi")
    assert itemcheck._negative_unemphasised("Which of these is not personal data?", "en")
    assert not itemcheck._negative_unemphasised("Which of these is **not** personal data?", "en")
    assert not itemcheck._negative_unemphasised("The file will not open. What kind of incident is this?", "en")
    assert not itemcheck._negative_unemphasised("Mẹo nào giúp con dừng chơi game mà không cãi vã?", "vi")
