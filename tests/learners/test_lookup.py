"""The two readers of a learner code agree: find_by_code (ORM, pages and the data API) and
id_for_code (driver-level SQL, the hot path of starting an attempt)."""

from __future__ import annotations

import pytest

from quiz_api import codes
from quiz_api.errors import NotFound
from quiz_api.learners import service as learners
from quiz_api.privacy import service as privacy
from tests.conftest import new_learner


def _orm(database, code: str) -> int | str:
    with database.reading() as db:
        try:
            return learners.find_by_code(db=db, code=code).id
        except NotFound as exc:
            return exc.key


def _fast(database, code: str) -> int | str:
    with database.engine.connect() as conn:
        try:
            return learners.id_for_code(conn=conn, code=code)
        except NotFound as exc:
            return exc.key
        finally:
            conn.rollback()


@pytest.fixture
def learner_codes(client, database) -> dict[str, str]:
    active = [new_learner(client, full_name=f"Học viên {i}") for i in range(3)]
    erased = new_learner(client, full_name="Người đã xóa")
    with database.writing() as db:
        privacy.erase(db=db, learner_id=learners.find_by_code(db=db, code=erased).id)
    unknown = codes.new_code(learners.CODE_LENGTH)
    mistyped = active[0][:-1] + ("A" if active[0][-1] != "A" else "B")
    return {"active 0": active[0], "active 1": active[1], "active 2 in lower case": active[2].lower(),
            "erased": erased, "unknown": unknown, "mistyped": mistyped, "empty": ""}


def test_the_fast_and_the_orm_reader_agree_on_every_kind_of_code(database, learner_codes):
    answers = {name: (_orm(database, code), _fast(database, code)) for name, code in learner_codes.items()}
    assert all(orm == fast for orm, fast in answers.values()), answers
    assert all(isinstance(answers[f"active {i}"][0], int) for i in (0, 1)), answers
    assert isinstance(answers["active 2 in lower case"][0], int), answers
    assert len({answers[name][0] for name in ("active 0", "active 1", "active 2 in lower case")}) == 3
    assert answers["erased"][0] == "unknown_learner"
    assert answers["unknown"][0] == "unknown_learner"
    assert answers["mistyped"][0] == "mistyped_code"
    assert answers["empty"][0] == "mistyped_code"
