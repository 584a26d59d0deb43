"""Quiz attempts: start (draw and store), submit (grade and store once), read the result.

The submission path, in one sitting: read the attempt (no lock), grade it in memory (pure),
then one short write transaction that claims the attempt with a conditional UPDATE, stores the
answers and, on a pass, the certificate. A second or concurrent submit loses the claim and
returns the stored result, so every attempt is recorded exactly once.
"""

from __future__ import annotations

import json
import random
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection

from quiz_api import grading
from quiz_api.attempts.models import Attempt, AttemptAnswer
from quiz_api.banks import Bank, lesson_url
from quiz_api.certificates import service as certificates
from quiz_api.db import Database, utcnow
from quiz_api.errors import Expired, Invalid, NotFound, TooSoon
from quiz_api.learners.models import Learner

GRACE = timedelta(minutes=2)  # a submission sent just before expiry may arrive just after
_attempt = Attempt.__table__
_answer = AttemptAnswer.__table__
_learner = Learner.__table__


@dataclass(frozen=True)
class QuizSettings:
    ttl: timedelta
    cooldown: timedelta


def start(
    *, conn: Connection, banks: dict[str, Bank], settings: QuizSettings, learner_id: int, module_id: str,
    lang: str, rng: random.Random | None = None,
) -> dict[str, Any]:
    """Draw a new attempt for the learner (inside the caller's write transaction)."""
    bank = banks.get(module_id)
    if bank is None:
        raise NotFound("unknown_module", module_id=module_id)
    now = utcnow()
    last = conn.execute(
        select(_attempt.c.passed, _attempt.c.submitted_at)
        .where(_attempt.c.learner_id == learner_id, _attempt.c.module_id == module_id,
               _attempt.c.submitted_at.is_not(None))
        .order_by(_attempt.c.submitted_at.desc()).limit(1)
    ).first()
    if last is not None and last.passed is False and last.submitted_at + settings.cooldown > now:
        wait = last.submitted_at + settings.cooldown - now
        minutes = max(1, -(-int(wait.total_seconds()) // 60))
        raise TooSoon("cooldown", retry_after=int(wait.total_seconds()) + 1, minutes=minutes)
    count = conn.scalar(
        select(func.count()).select_from(_attempt)
        .where(_attempt.c.learner_id == learner_id, _attempt.c.module_id == module_id)
    )
    draw = grading.draw_questions(list(bank.grading.values()), bank.questions_per_attempt,
                                  rng or random.SystemRandom())
    attempt_id = secrets.token_urlsafe(16)
    expires_at = now + settings.ttl
    conn.execute(insert(_attempt).values(
        id=attempt_id, learner_id=learner_id, module_id=module_id, attempt_no=count + 1, lang=lang,
        draw=json.dumps(draw, separators=(",", ":")), question_count=len(draw), started_at=now,
        expires_at=expires_at,
    ))
    conn.execute(update(_learner).where(_learner.c.id == learner_id).values(last_seen_at=now))
    return {
        "attempt_id": attempt_id,
        "module_id": module_id,
        "expires_at": expires_at,
        "questions": questions_payload(bank, draw, lang),
    }


def questions_payload(bank: Bank, draw: grading.Draw, lang: str) -> list[dict[str, Any]]:
    """The drawn questions as a learner may see them: never the answer or the explanation."""
    out = []
    for qid, choice_ids in draw:
        q = bank.questions[qid]
        out.append({
            "id": qid,
            "type": q.type,
            "text": q.text[lang],
            "choices": [{"id": cid, "text": q.choice_text(cid, lang)} for cid in choice_ids],
        })
    return out


def load(*, conn: Connection, attempt_id: str) -> Any:
    row = conn.execute(select(_attempt).where(_attempt.c.id == attempt_id)).first()
    if row is None:
        raise NotFound("unknown_attempt")
    return row


def submit(
    *, database: Database, banks: dict[str, Bank], attempt_id: str, answers: dict[str, list[str]],
    lang: str | None = None,
) -> dict[str, Any]:
    """Grade and record an attempt once; later calls return the stored result unchanged."""
    with database.engine.connect() as conn:
        row = load(conn=conn, attempt_id=attempt_id)
        conn.rollback()
    bank = banks.get(row.module_id)
    if bank is None:
        raise NotFound("unknown_module", module_id=row.module_id)
    lang = lang or row.lang
    if row.submitted_at is not None:
        return stored_result(database=database, bank=bank, attempt_id=attempt_id, lang=lang)
    now = utcnow()
    if now > row.expires_at + GRACE:
        raise Expired("attempt_expired", expires_at=row.expires_at.strftime("%H:%M %d/%m/%Y UTC"))
    draw = [(qid, cids) for qid, cids in json.loads(row.draw)]
    try:
        result = grading.grade(draw, answers, bank.grading, bank.pass_mark)
    except grading.AnswerError as exc:
        raise Invalid(exc.reason, question_id=exc.question_id, choice_id=exc.choice_id or "") from exc
    certificate_code = None
    with database.write_engine.begin() as conn:
        claimed = conn.execute(
            update(_attempt)
            .where(_attempt.c.id == attempt_id, _attempt.c.submitted_at.is_(None))
            .values(submitted_at=now, correct_count=result.correct_count, score=result.score,
                    passed=result.passed)
        ).rowcount
        if claimed == 1:
            conn.execute(insert(_answer), [
                {"attempt_id": attempt_id, "position": i, "question_id": item.question_id,
                 "chosen": ",".join(item.chosen), "correct": item.correct}
                for i, item in enumerate(result.items)
            ])
            if result.passed:
                certificate_code = certificates.issue_for_pass(
                    conn=conn, learner_id=row.learner_id, module_id=row.module_id, attempt_id=attempt_id,
                    score=result.score, now=now)
    if claimed != 1:  # someone else recorded it first
        return stored_result(database=database, bank=bank, attempt_id=attempt_id, lang=lang)
    return result_payload(bank, attempt_id, draw, result.items, result.score, result.correct_count,
                          result.passed, certificate_code, lang)


def stored_result(*, database: Database, bank: Bank, attempt_id: str, lang: str) -> dict[str, Any]:
    with database.engine.connect() as conn:
        row = load(conn=conn, attempt_id=attempt_id)
        if row.submitted_at is None:
            raise NotFound("unknown_attempt")
        answers = conn.execute(
            select(_answer.c.question_id, _answer.c.chosen, _answer.c.correct)
            .where(_answer.c.attempt_id == attempt_id).order_by(_answer.c.position)
        ).all()
        code = certificates.code_for(conn=conn, learner_id=row.learner_id, module_id=row.module_id) \
            if row.passed else None
        conn.rollback()
    draw = [(qid, cids) for qid, cids in json.loads(row.draw)]
    items = tuple(grading.ItemResult(a.question_id, tuple(c for c in a.chosen.split(",") if c), a.correct)
                  for a in answers)
    return result_payload(bank, attempt_id, draw, items, row.score, row.correct_count, row.passed, code, lang)


def result_payload(
    bank: Bank, attempt_id: str, draw: grading.Draw, items: tuple[grading.ItemResult, ...], score: float,
    correct_count: int, passed: bool, certificate_code: str | None, lang: str,
) -> dict[str, Any]:
    """The graded attempt as the learner sees it: per question right or wrong, why, and where to read."""
    order = dict(draw)
    questions = []
    for item in items:
        q = bank.questions.get(item.question_id)
        if q is None:  # the question was retired from the bank after this attempt
            questions.append({"id": item.question_id, "correct": item.correct, "chosen": list(item.chosen)})
            continue
        questions.append({
            "id": q.id,
            "type": q.type,
            "text": q.text[lang],
            "correct": item.correct,
            "chosen": list(item.chosen),
            "correct_choices": sorted(q.correct),
            "choices": [{"id": cid, "text": q.choice_text(cid, lang)} for cid in order.get(q.id, [])],
            "explanation": q.explanation[lang],
            "lesson_url": lesson_url(q.lesson, lang),
        })
    return {
        "attempt_id": attempt_id,
        "module_id": bank.id,
        "score": score,
        "correct_count": correct_count,
        "question_count": len(items),
        "pass_mark": bank.pass_mark,
        "passed": passed,
        "certificate_code": certificate_code,
        "questions": questions,
    }


def expires_at_of(row: Any) -> datetime:
    return row.expires_at
