"""The submission answer is sent as bytes built from pre-serialised pieces (attempts.result_json):
it must be the very document result_payload describes, for every bank, language and outcome."""

import random

import orjson
import pytest

from quiz_api import grading
from quiz_api.attempts import service as attempts
from quiz_api.banks import load_banks
from quiz_api.config import Settings

BANKS = load_banks(Settings().banks_dir)


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("module_id", sorted(BANKS))
def test_result_json_is_result_payload(module_id, lang):
    bank = BANKS[module_id]
    rng = random.Random(f"{module_id}-{lang}")
    for trial in range(40):  # cached pieces are reused across trials: the second use must match too
        draw = grading.draw_questions(list(bank.grading.values()), bank.questions_per_attempt, rng)
        answers = {qid: rng.sample(choices, rng.choice([0, 1, 1, 2])) for qid, choices in draw}
        answers = {qid: chosen if bank.grading[qid].type == "multiple" else chosen[:1]
                   for qid, chosen in answers.items()}
        result = grading.grade(draw, answers, bank.grading, bank.pass_mark)
        items = result.items
        if trial % 5 == 0:  # a question retired from the bank since the attempt was drawn
            items = (grading.ItemResult("da-bo", ("a",), False), *items[1:])
        code = "7KQ2-M9XD-P" if result.passed else None
        args = (bank, f"attempt-{trial}", draw, items, result.score, result.correct_count, result.passed, code, lang)
        assert orjson.loads(attempts.result_json(*args)) == attempts.result_payload(*args)
