"""Quiz attempts: start (draw and store), submit (grade and store once), read the result.

The submission path, in one sitting: `record` is the one function that records a submission; its
doors (the API route and its fast lane in router.py, the HTML form in pages.py) await it in the
group-commit writer (db.py). It reads the attempt, grades it in memory (pure), claims it with a
conditional UPDATE, stores the answers, counts it in the report aggregates and, on a pass, stores
the certificate, all in the batch's one
transaction; the answer is sent only after that transaction's commit (one fsync for the whole
batch). A second or
concurrent submit loses the claim and returns the stored result, so every attempt is recorded
exactly once.
"""

from __future__ import annotations

import json
import random
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from operator import itemgetter
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.engine import Connection

from quiz_api import codes, grading
from quiz_api.aggregates import service as aggregates
from quiz_api.attempts.models import Attempt, AttemptAnswer
from quiz_api.banks import Bank, lesson_url
from quiz_api.certificates import service as certificates
from quiz_api.db import Database, Raw, utcnow
from quiz_api.errors import DomainError, Expired, Invalid, NotFound, TooSoon, Unanswered
from quiz_api.labels import LANGS
from quiz_api.learners import service as learners

GRACE = timedelta(minutes=2)  # a submission sent just before expiry may arrive just after
_attempt = Attempt.__table__
_answer = AttemptAnswer.__table__


@dataclass(frozen=True)
class QuizSettings:
    ttl: timedelta
    cooldown: timedelta


def start(
    *, conn: Connection, banks: dict[str, Bank], settings: QuizSettings, learner_id: int, module_id: str,
    lang: str, rng: random.Random | None = None,
) -> dict[str, Any]:
    """Draw a new attempt for the learner (inside the caller's write transaction).

    Driver-level statements (db.Raw): the SQLAlchemy version of these statements cost about
    0.5 ms a start in building and caching statement objects, most of a start's time.
    """
    bank = banks.get(module_id)
    if bank is None:
        raise NotFound("unknown_module", module_id=module_id)
    raw = Raw(conn)
    now = utcnow()
    if not raw.sqlite:
        raw.execute(_LOCK_LEARNER, (learner_id,))
    history = raw.execute(_HISTORY, (learner_id, module_id)).fetchall()
    # At most one open attempt per learner and module: starting again gives back the same questions,
    # so several attempts started at once cannot be answered one from another's results to dodge
    # the cooldown. (Starts for one learner are serialised: SQLite's write lock; on PostgreSQL the
    # learner row is locked FOR UPDATE first.)
    open_ = [row for row in history if row[1] is None and raw.read_dt(row[3]) > now]
    if open_:
        _, _, attempt_id, open_expires = max(open_, key=lambda row: raw.read_dt(row[3]))
        draw_json, = raw.execute(_DRAW, (attempt_id,)).fetchone()
        return {
            "attempt_id": attempt_id,
            "module_id": module_id,
            "expires_at": raw.read_dt(open_expires),
            "questions": questions_payload(bank, orjson.loads(draw_json), lang),
            "resumed": True,
        }
    submitted = [row for row in history if row[1] is not None]
    last = max(submitted, key=itemgetter(1)) if submitted else None  # stored times sort as they read
    if last is not None and last[0] is not None and not last[0]:  # the last submitted attempt failed
        submitted_at = raw.read_dt(last[1])
        if submitted_at + settings.cooldown > now:
            wait = submitted_at + settings.cooldown - now
            minutes = max(1, -(-int(wait.total_seconds()) // 60))
            raise TooSoon("cooldown", retry_after=int(wait.total_seconds()) + 1, minutes=minutes)
    count = len(history)
    # A fast generator seeded with 128 secret bits: SystemRandom made one urandom call per random
    # number (about 150 a draw); the draw only has to be unpredictable, not every number secret.
    draw = grading.draw_questions(list(bank.grading.values()), bank.questions_per_attempt,
                                  rng or random.Random(secrets.randbits(128)))
    attempt_id = new_attempt_id()
    expires_at = now + settings.ttl
    raw.execute(_INSERT_ATTEMPT, (attempt_id, learner_id, module_id, count + 1, lang,
                                  json.dumps(draw, separators=(",", ":")), len(draw), raw.dt(now),
                                  raw.dt(expires_at)))
    learners.mark_seen(raw, learner_id=learner_id, now=now)
    return {
        "attempt_id": attempt_id,
        "module_id": module_id,
        "expires_at": expires_at,
        "questions": questions_payload(bank, draw, lang),
        "resumed": False,
    }


# The learner's attempts at the module, for the cooldown and the attempt number: a handful of rows
# from ix_attempt_learner_module. Asking SQL for the last submitted one (ORDER BY submitted_at DESC
# LIMIT 1) made SQLite walk the module's whole submitted history through ix_attempt_module_submitted,
# for its order: starts fell from 1,661/s to 142/s once 50,000 attempts were submitted.
_HISTORY = "SELECT passed, submitted_at, id, expires_at FROM attempt WHERE learner_id = ? AND module_id = ?"
_DRAW = "SELECT draw FROM attempt WHERE id = ?"
_INSERT_ATTEMPT = ("INSERT INTO attempt (id, learner_id, module_id, attempt_no, lang, draw, question_count, "
                   "started_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
# PostgreSQL: the row lock serialises one learner's starts across processes and hosts (the check for
# an open attempt and the insert of a new one must not interleave); released at the batch's commit.
# SQLite needs none: a write transaction holds the database's one write lock.
_LOCK_LEARNER = "SELECT id FROM learner WHERE id = ? FOR UPDATE"


def new_attempt_id(now_ms: int | None = None) -> str:
    """A time-ordered attempt id: 9 Crockford base32 characters of milliseconds, then 128 random bits.

    The random part keeps an id unguessable (it is the capability to submit and see a result); the
    time prefix makes new attempts sort last, so inserting an attempt and, at submission, its
    answers (primary key attempt_id, position) touches the same few B-tree pages instead of random
    ones all over the index: measured (10-row inserts, 32 per commit, 300,000 rows already there)
    about 35 µs less CPU and half the wall time per submission's answers.
    """
    ms = time.time_ns() // 1_000_000 if now_ms is None else now_ms
    prefix = "".join(codes.ALPHABET[(ms >> shift) & 31] for shift in range(40, -5, -5))
    return prefix + secrets.token_urlsafe(16)  # 9 + 22 = 31 characters (the column holds 32)


def questions_payload(bank: Bank, draw: grading.Draw, lang: str) -> list[dict[str, Any]]:
    """The drawn questions as a learner may see them: never the answer or the explanation."""
    view = _view(bank, lang)
    return [{"id": qid, "type": view[qid].type, "text": view[qid].text, "choices": _shown(view[qid], choice_ids)}
            for qid, choice_ids in draw]


def load(*, conn: Connection, attempt_id: str) -> Any:
    row = conn.execute(select(_attempt).where(_attempt.c.id == attempt_id)).first()
    if row is None:
        raise NotFound("unknown_attempt")
    return row


def record(
    conn: Connection, *, banks: dict[str, Bank], attempt_id: str, answers: dict[str, list[str]],
    allow_unanswered: bool = False, lang: str | None = None, render: Render | None = None,
) -> Any:
    """The submission inside the caller's write transaction: read the attempt, grade it in memory,
    claim it with a conditional UPDATE, store the answers, count it in the report aggregates and, on
    a pass, store the certificate. With a
    question unanswered, nothing is stored (Unanswered) unless allow_unanswered.

    Whoever loses the claim (a second submit, or another worker's concurrent one) returns the
    stored result, so every attempt is recorded exactly once. The result comes as `render` makes
    it: result_payload (plain data, the default) or result_json (the same as JSON bytes).
    """
    render = render or result_payload
    raw = Raw(conn)
    found = raw.execute(_LOAD, (attempt_id,)).fetchone()
    if found is None:
        raise NotFound("unknown_attempt")
    learner_id, module_id, attempt_no, row_lang, draw_json, expires_at, submitted_at = found
    bank = banks.get(module_id)
    if bank is None:
        raise NotFound("unknown_module", module_id=module_id)
    lang = lang or row_lang
    if submitted_at is not None:
        return _stored(conn, bank, load(conn=conn, attempt_id=attempt_id), lang, render)
    now = utcnow()
    expires_at = raw.read_dt(expires_at)
    if now > expires_at + GRACE:
        raise Expired("attempt_expired", expires_at=expires_at)  # stored (UTC): the answer shows it in local time
    draw = orjson.loads(draw_json)  # [[question id, [choice id, ...]], ...]: pairs, as grading takes them
    try:
        result = grading.grade(draw, answers, bank.grading, bank.pass_mark)
    except grading.AnswerError as exc:
        raise Invalid(exc.reason, question_id=exc.question_id, choice_id=exc.choice_id or "") from exc
    if not allow_unanswered:
        unanswered = [item.question_id for item in result.items if not item.chosen]
        if unanswered:
            raise Unanswered(unanswered)
    claimed = raw.execute(_CLAIM, (raw.dt(now), result.correct_count, result.score, result.passed,
                                   attempt_id)).rowcount
    if claimed != 1:  # another worker recorded it between our read and our claim
        return _stored(conn, bank, load(conn=conn, attempt_id=attempt_id), lang, render)
    raw.insert_rows(_INSERT_ANSWER, [(attempt_id, i, item.question_id, ",".join(item.chosen), item.correct)
                                     for i, item in enumerate(result.items)])
    aggregates.count_submission(conn, raw, learner_id=learner_id, attempt_id=attempt_id, module_id=module_id,
                                attempt_no=attempt_no, submitted_at=now, passed=result.passed, score=result.score)
    certificate_code = None
    if result.passed:
        certificate_code = certificates.issue_for_pass(
            conn=conn, learner_id=learner_id, module_id=module_id, attempt_id=attempt_id,
            score=result.score, now=now)
    return render(bank, attempt_id, draw, result.items, result.score, result.correct_count, result.passed,
                  certificate_code, lang)


# The hot path's statements, at driver level (see db.Raw). The claim only succeeds for an attempt
# nobody has submitted yet.
_LOAD = "SELECT learner_id, module_id, attempt_no, lang, draw, expires_at, submitted_at FROM attempt WHERE id = ?"
_CLAIM = ("UPDATE attempt SET submitted_at = ?, correct_count = ?, score = ?, passed = ? "
          "WHERE id = ? AND submitted_at IS NULL")
_INSERT_ANSWER = "INSERT INTO attempt_answer (attempt_id, position, question_id, chosen, correct) VALUES (?, ?, ?, ?, ?)"


class Submission:
    """One submission as a group-commit job: alone it is `record`; next to others in a batch on
    PostgreSQL the writer hands them all to `record_many` (db._run_jobs' bulk jobs)."""

    __slots__ = ("allow_unanswered", "answers", "attempt_id", "banks", "lang", "render")

    def __init__(self, *, banks: dict[str, Bank], attempt_id: str, answers: dict[str, list[str]],
                 allow_unanswered: bool = False, lang: str | None = None, render: Render | None = None) -> None:
        self.banks, self.attempt_id, self.answers, self.lang, self.render = banks, attempt_id, answers, lang, render
        self.allow_unanswered = allow_unanswered

    def __call__(self, conn: Connection) -> Any:
        return record(conn, banks=self.banks, attempt_id=self.attempt_id, answers=self.answers,
                      allow_unanswered=self.allow_unanswered, lang=self.lang, render=self.render)

    @staticmethod
    def bulk(conn: Connection, jobs: list[Submission]) -> list[tuple[bool, Any]]:
        return record_many(conn, jobs)


def record_many(conn: Connection, jobs: list[Submission]) -> list[tuple[bool, Any]]:
    """`record` for a batch of submissions, set-based (PostgreSQL): one SELECT … = ANY for the
    attempts, one UPDATE … FROM (VALUES …) RETURNING that claims every valid one, one multi-row
    INSERT for all their answers, aggregates.count_submissions (a lock and a read for the batch's
    learners), and certificates.issue_for_passes for the passes (one INSERT, one
    SELECT): about eight round trips for the batch instead of three or four a submission. The same
    rules as `record`: a submission that fails (unknown, expired, bad answers) writes nothing and
    gets its error; one for an attempt already submitted, submitted twice in the batch, or claimed
    meanwhile by another process goes through `record` alone afterwards, and gets the stored result.
    Returns (succeeded, result or exception) for each job, in order."""
    raw = Raw(conn)
    now = utcnow()
    ids = list(dict.fromkeys(job.attempt_id for job in jobs))
    found = {row[0]: row for row in raw.execute(_LOAD_MANY, (ids,)).fetchall()}
    outcomes: list[tuple[bool, Any] | None] = [None] * len(jobs)
    graded: list[tuple[int, Bank, int, str, int, str, Any, grading.GradeResult]] = []
    alone: list[int] = []  # run through `record` once the batch's own writes are done
    seen: set[str] = set()
    for i, job in enumerate(jobs):
        if job.attempt_id in seen:
            alone.append(i)
            continue
        seen.add(job.attempt_id)
        try:
            row = found.get(job.attempt_id)
            if row is None:
                raise NotFound("unknown_attempt")
            _, learner_id, module_id, attempt_no, row_lang, draw_json, expires_at, submitted_at = row
            bank = job.banks.get(module_id)
            if bank is None:
                raise NotFound("unknown_module", module_id=module_id)
            if submitted_at is not None:
                alone.append(i)
                continue
            expires_at = raw.read_dt(expires_at)
            if now > expires_at + GRACE:
                raise Expired("attempt_expired", expires_at=expires_at)  # stored (UTC): shown in local time
            draw = orjson.loads(draw_json)
            try:
                result = grading.grade(draw, job.answers, bank.grading, bank.pass_mark)
            except grading.AnswerError as exc:
                raise Invalid(exc.reason, question_id=exc.question_id, choice_id=exc.choice_id or "") from exc
            if not job.allow_unanswered:
                unanswered = [item.question_id for item in result.items if not item.chosen]
                if unanswered:
                    raise Unanswered(unanswered)
        except Exception as exc:  # noqa: BLE001 - nothing written for it: the error is this job's answer
            outcomes[i] = (False, exc)
            continue
        graded.append((i, bank, learner_id, module_id, attempt_no, job.lang or row_lang, draw, result))
    claimed: set[str] = set()
    if graded:
        stamp = raw.dt(now)
        params = tuple(value for i, *_, result in graded
                       for value in (jobs[i].attempt_id, stamp, result.correct_count, result.score, result.passed))
        claimed = {row[0] for row in raw.execute(
            _CLAIM_MANY_HEAD + ", ".join([_CLAIM_ROW] * len(graded)) + _CLAIM_MANY_TAIL, params).fetchall()}
    won = [g for g in graded if jobs[g[0]].attempt_id in claimed]
    alone += [g[0] for g in graded if jobs[g[0]].attempt_id not in claimed]  # another process was first
    raw.insert_rows(_INSERT_ANSWER, [(jobs[i].attempt_id, n, item.question_id, ",".join(item.chosen), item.correct)
                                     for i, *_, result in won for n, item in enumerate(result.items)])
    aggregates.count_submissions(conn, raw, [
        (learner_id, jobs[i].attempt_id, aggregates.Submitted(module_id, now, result.passed, result.score, attempt_no))
        for i, _, learner_id, module_id, attempt_no, _, _, result in won])
    passes = [(learner_id, module_id, jobs[i].attempt_id, result.score)
              for i, _, learner_id, module_id, _, _, _, result in won if result.passed]
    issued = iter(certificates.issue_for_passes(conn=conn, passes=passes, now=now) if passes else ())
    for i, bank, _, _, _, lang, draw, result in won:
        job = jobs[i]
        code = next(issued) if result.passed else None
        outcomes[i] = (True, (job.render or result_payload)(bank, job.attempt_id, draw, result.items, result.score,
                                                            result.correct_count, result.passed, code, lang))
    for i in sorted(alone):
        try:
            outcomes[i] = (True, jobs[i](conn))
        except DomainError as exc:  # raised before `record` writes anything
            outcomes[i] = (False, exc)
    return outcomes  # type: ignore[return-value] - every job has its outcome by now


_LOAD_MANY = ("SELECT id, learner_id, module_id, attempt_no, lang, draw, expires_at, submitted_at FROM attempt "
              "WHERE id = ANY(?)")
_CLAIM_MANY_HEAD = ("UPDATE attempt AS a SET submitted_at = v.submitted_at, correct_count = v.correct_count, "
                    "score = v.score, passed = v.passed FROM (VALUES ")
_CLAIM_ROW = "(?, CAST(? AS TIMESTAMP), CAST(? AS INTEGER), CAST(? AS DOUBLE PRECISION), CAST(? AS BOOLEAN))"
_CLAIM_MANY_TAIL = (") AS v (id, submitted_at, correct_count, score, passed) "
                    "WHERE a.id = v.id AND a.submitted_at IS NULL RETURNING a.id")


def stored_result(*, database: Database, bank: Bank, attempt_id: str, lang: str) -> dict[str, Any]:
    """The recorded result of a submitted attempt (NotFound while it is not submitted)."""
    with database.engine.connect() as conn:
        result = _stored(conn, bank, load(conn=conn, attempt_id=attempt_id), lang)
        conn.rollback()
    return result


def _stored(conn: Connection, bank: Bank, row: Any, lang: str, render: Render | None = None) -> Any:
    if row.submitted_at is None:
        raise NotFound("unknown_attempt")
    answers = conn.execute(
        select(_answer.c.question_id, _answer.c.chosen, _answer.c.correct)
        .where(_answer.c.attempt_id == row.id).order_by(_answer.c.position)
    ).all()
    code = certificates.code_for(conn=conn, learner_id=row.learner_id, module_id=row.module_id) \
        if row.passed else None
    draw = [(qid, cids) for qid, cids in json.loads(row.draw)]
    items = tuple(grading.ItemResult(a.question_id, tuple(c for c in a.chosen.split(",") if c), a.correct)
                  for a in answers)
    return (render or result_payload)(bank, row.id, draw, items, row.score, row.correct_count, row.passed, code,
                                      lang)


@dataclass(frozen=True)
class _QuestionJson:
    """A question's part of a result document, serialised once: {head "correct":…,"chosen":…
    middle choices… tail}, the choices as the learner saw them in between."""

    head: bytes  # {"id":…,"type":…,"text":…,
    middle: bytes  # ,"correct_choices":[…],"choices":[
    choice: dict[str, bytes]  # choice id -> {"id":…,"text":…}
    tail: bytes  # ],"explanation":…,"lesson_url":…}
    chosen: dict[tuple[str, ...], bytes]  # chosen ids -> JSON list, filled on use (a handful per question)


@dataclass(frozen=True)
class _QuestionView:
    """What a learner sees of a question in one language, computed once per bank and language."""

    id: str
    type: str
    text: str
    choices: dict[str, str]
    correct: list[str]
    explanation: str
    lesson_url: str
    shown: dict[tuple[str, ...], list[dict[str, str]]]  # choice order -> [{"id", "text"}], filled on use
    json: _QuestionJson  # the same, serialised for result_json


_views: dict[tuple[int, str], tuple[Bank, dict[str, _QuestionView]]] = {}


def prepare_views(banks: dict[str, Bank]) -> None:
    """Build every bank's question views in every language (at start-up: no request pays for it)."""
    for bank in banks.values():
        for lang in LANGS:
            _view(bank, lang)


def _view(bank: Bank, lang: str) -> dict[str, _QuestionView]:
    """Question texts, choice texts, sorted keys and lesson URLs of a bank in one language: built on
    first use and kept (banks are loaded once at start-up and never change while serving)."""
    cached = _views.get((id(bank), lang))
    if cached is not None and cached[0] is bank:
        return cached[1]
    view = {}
    for q in bank.questions.values():
        correct, explanation, url = sorted(q.correct), q.explanation[lang], lesson_url(q.lesson, lang)
        pieces = _QuestionJson(
            head=orjson.dumps({"id": q.id, "type": q.type, "text": q.text[lang]})[:-1] + b",",
            middle=b',"correct_choices":' + orjson.dumps(correct) + b',"choices":[',
            choice={c.id: orjson.dumps({"id": c.id, "text": c.text[lang]}) for c in q.choices},
            tail=b"]," + orjson.dumps({"explanation": explanation, "lesson_url": url})[1:],
            chosen={},
        )
        view[q.id] = _QuestionView(q.id, q.type, q.text[lang], {c.id: c.text[lang] for c in q.choices}, correct,
                                   explanation, url, {}, pieces)
    _views[(id(bank), lang)] = (bank, view)
    return view


def _shown(q: _QuestionView, order: list[str]) -> list[dict[str, str]]:
    """The question's choices in the order the learner saw them (a handful of orders per question,
    so they are built once and shared; the payload is only serialised, never changed)."""
    key = tuple(order)
    shown = q.shown.get(key)
    if shown is None:
        shown = q.shown[key] = [{"id": cid, "text": q.choices[cid]} for cid in key]
    return shown


def result_payload(
    bank: Bank, attempt_id: str, draw: grading.Draw, items: tuple[grading.ItemResult, ...], score: float,
    correct_count: int, passed: bool, certificate_code: str | None, lang: str,
) -> dict[str, Any]:
    """The graded attempt as the learner sees it: per question right or wrong, why, and where to read."""
    order = dict(draw)
    view = _view(bank, lang)
    questions = []
    for item in items:
        q = view.get(item.question_id)
        if q is None:  # the question was retired from the bank after this attempt
            questions.append({"id": item.question_id, "correct": item.correct, "chosen": list(item.chosen)})
            continue
        questions.append({
            "id": q.id,
            "type": q.type,
            "text": q.text,
            "correct": item.correct,
            "chosen": list(item.chosen),
            "correct_choices": q.correct,
            "choices": _shown(q, order.get(q.id, [])),
            "explanation": q.explanation,
            "lesson_url": q.lesson_url,
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


Render = Callable[..., Any]  # result_payload or result_json


def result_json(
    bank: Bank, attempt_id: str, draw: grading.Draw, items: tuple[grading.ItemResult, ...], score: float,
    correct_count: int, passed: bool, certificate_code: str | None, lang: str,
) -> bytes:
    """result_payload as JSON bytes, the same document, joined from pieces serialised once per
    question and language (_QuestionJson): a question's texts, choices, explanation and link never
    change while serving; only `correct`, `chosen` and the order of the choices vary. Measured
    in-process: serialising the whole payload (8 kB, mostly Vietnamese text) and building it cost
    about 60 µs a submission."""
    order = dict(draw)
    view = _view(bank, lang)
    envelope = orjson.dumps({
        "attempt_id": attempt_id, "module_id": bank.id, "score": score, "correct_count": correct_count,
        "question_count": len(items), "pass_mark": bank.pass_mark, "passed": passed,
        "certificate_code": certificate_code, "questions": None,
    })
    parts = [envelope[: -len(b"null}")], b"["]
    for i, item in enumerate(items):
        if i:
            parts.append(b",")
        answer = b'"correct":true,"chosen":' if item.correct else b'"correct":false,"chosen":'
        q = view.get(item.question_id)
        if q is None:  # the question was retired from the bank after this attempt
            parts += (b'{"id":', orjson.dumps(item.question_id), b",", answer, orjson.dumps(item.chosen), b"}")
            continue
        pieces = q.json
        chosen = pieces.chosen.get(item.chosen)
        if chosen is None:
            chosen = pieces.chosen[item.chosen] = orjson.dumps(item.chosen)
        choice = pieces.choice
        parts += (pieces.head, answer, chosen, pieces.middle,
                  b",".join([choice[cid] for cid in order.get(q.id, ())]), pieces.tail)
    parts.append(b"]}")
    return b"".join(parts)
