"""Small factories: learners and attempts written straight to the database (hand-computable fixtures),
and counted in the report aggregates as the application counts them."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import insert

from quiz_api.aggregates import service as aggregates
from quiz_api.attempts.models import Attempt, AttemptAnswer
from quiz_api.learners.models import Learner
from quiz_api.reports.models import Target


def learner(db, *, group="public_servant", unit="TN-P-long-an", name="Nguyễn Văn An", demo=False) -> int:
    now = datetime(2026, 1, 2)
    row = Learner(pseudonym=secrets.token_hex(16), full_name=name, group=group, unit_code=unit,
                  consent_version="t", consent_at=now, created_at=now, last_seen_at=now, is_demo=demo)
    db.add(row)
    db.flush()
    return row.id


def attempt(db, learner_id: int, *, module="mau-thu", no=1, at=datetime(2026, 3, 10, 8, 0), correct=5,
            questions=5, pass_mark=0.8, answers: list[tuple] | None = None, submitted=True,
            attempt_id: str | None = None) -> str:
    aid = attempt_id or secrets.token_urlsafe(16)
    score = correct / questions
    with aggregates.changing(db.connection(), [learner_id]):  # counted in the reports, as a submission is
        db.execute(insert(Attempt.__table__).values(
            id=aid, learner_id=learner_id, module_id=module, attempt_no=no, lang="vi", draw="[]",
            question_count=questions, started_at=at - timedelta(minutes=7), expires_at=at + timedelta(hours=1),
            submitted_at=at if submitted else None, correct_count=correct if submitted else None,
            score=score if submitted else None, passed=(score >= pass_mark) if submitted else None))
        if answers:
            db.execute(insert(AttemptAnswer.__table__), [
                {"attempt_id": aid, "position": i, "question_id": q, "chosen": chosen[0] if chosen else "a", "correct": ok}
                for i, (q, ok, *chosen) in enumerate(answers)])
    return aid


def target(db, *, year=2026, unit="TN-P-long-an", group="public_servant", module="mau-thu", headcount=10,
           share=1.0) -> None:
    db.add(Target(year=year, unit_code=unit, group=group, module_id=module, headcount=headcount,
                  target_share=share))
    db.flush()
