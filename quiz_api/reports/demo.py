"""Demo data: a realistic province so a new user sees a full dashboard in a minute.

Learners are spread over the loaded unit tree (public servants mostly in agencies, citizens and
businesses in communes and wards), take the modules of their group's learning path across the
year with plausible pass rates (an ability per learner and a difficulty per question, so question
statistics look real), and the units get targets that some meet and some miss. Everything is
written with bulk inserts in one transaction, and the report aggregates are rebuilt in it. The
database is marked as demo (app_meta 'demo'), and seeding refuses to run where real learners exist.
"""

from __future__ import annotations

import json
import math
import random
import secrets
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import IO, Any

from sqlalchemy import delete, func, insert, select

from quiz_api import codes
from quiz_api.aggregates import rebuild as aggregates
from quiz_api.attempts.models import Attempt, AttemptAnswer
from quiz_api.banks import Bank
from quiz_api.certificates.models import Certificate
from quiz_api.certificates.service import learning_paths
from quiz_api.db import Database, utcnow
from quiz_api.errors import Conflict, Invalid
from quiz_api.learners.models import Learner
from quiz_api.reports.models import AppMeta, Target
from quiz_api.units.models import Unit

GROUP_SHARES = {"public_servant": 0.45, "business": 0.15, "citizen": 0.40}
# Campaign months weigh more (spring and autumn training drives), as organisers plan them.
MONTH_WEIGHTS = [0.5, 0.6, 1.4, 1.6, 1.2, 0.7, 0.6, 0.8, 1.3, 1.5, 1.2, 0.6]
BATCH = 5000
_attempt, _answer, _learner, _cert, _target = (Attempt.__table__, AttemptAnswer.__table__, Learner.__table__,
                                               Certificate.__table__, Target.__table__)


def _chunks(rows: list[dict[str, Any]], size: int = BATCH) -> Iterator[list[dict[str, Any]]]:
    for i in range(0, len(rows), size):
        yield rows[i:i + size]


def _sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def _when(rng: random.Random, year: int, until: datetime) -> datetime:
    """A moment in the year (before `until`), campaign months more likely."""
    last_month = 12 if until.year > year else until.month
    month = rng.choices(range(1, last_month + 1), weights=MONTH_WEIGHTS[:last_month])[0]
    start = datetime(year, month, 1)
    end = min(datetime(year + (month == 12), month % 12 + 1, 1), until)
    span = max(60, int((end - start).total_seconds()))
    moment = start + timedelta(seconds=rng.randrange(span))
    return moment.replace(hour=rng.choice((8, 9, 10, 14, 15, 16, 20, 21)), microsecond=0)


def seed(*, database: Database, banks: dict[str, Bank], learners: int, year: int | None = None, seed: int = 2026,
         progress: IO[str] | None = None) -> dict[str, Any]:
    """Create `learners` demo learners with attempts, certificates and targets; return counts."""
    started = time.monotonic()
    if not 1 <= learners <= 1_000_000:
        raise Invalid("bad_filter", name="learners", reason="1–1,000,000")
    if not banks:
        raise Invalid("bad_filter", name="banks", reason="no question bank is loaded")
    now = utcnow()
    year = year or now.year
    until = min(now, datetime(year + 1, 1, 1)) if year <= now.year else datetime(year + 1, 1, 1)
    if year > now.year:
        raise Invalid("bad_filter", name="year", reason=f"≤ {now.year}")
    rng = random.Random(seed)
    paths = {g: [m for m in mods if m in banks] or sorted(banks) for g, mods in learning_paths().items()}

    def say(text: str) -> None:
        if progress:
            progress.write(f"{text} ({time.monotonic() - started:.1f} s)\n")
            progress.flush()

    with database.writing() as db:
        real = db.scalar(select(func.count()).select_from(_learner).where(_learner.c.is_demo.is_(False)))
        if real:
            raise Conflict("demo_refused", count=real)
        units = list(db.execute(select(Unit.code, Unit.kind, Unit.parent_code)))
        if not units:
            raise Invalid("bad_filter", name="units", reason="load the unit tree first (kynangso units import)")
        # A re-run replaces the earlier demo data (this database holds nothing else).
        demo_ids = select(_learner.c.id).where(_learner.c.is_demo.is_(True))
        demo_attempts = select(_attempt.c.id).where(_attempt.c.learner_id.in_(demo_ids))
        db.execute(delete(_answer).where(_answer.c.attempt_id.in_(demo_attempts)))
        db.execute(delete(_cert).where(_cert.c.learner_id.in_(demo_ids)))
        db.execute(delete(_attempt).where(_attempt.c.learner_id.in_(demo_ids)))
        db.execute(delete(_learner).where(_learner.c.is_demo.is_(True)))
        db.execute(delete(_target).where(_target.c.year == year))

        leaves = [u for u in units if u.parent_code is not None] or units
        local = [u.code for u in leaves if u.kind in ("xã", "phường")] or [u.code for u in leaves]
        agencies = [u.code for u in leaves if u.kind not in ("xã", "phường")] or local
        # Bigger communes and agencies get more learners: a fixed weight per unit.
        weight = {u.code: rng.uniform(0.3, 3.0) for u in leaves}

        learner_rows, people = [], []
        groups = list(GROUP_SHARES)
        for i in range(learners):
            group = rng.choices(groups, weights=list(GROUP_SHARES.values()))[0]
            pool = (agencies if rng.random() < 0.6 else local) if group == "public_servant" else local
            unit = rng.choices(pool, weights=[weight[c] for c in pool])[0]
            joined = _when(rng, year, until)
            learner_rows.append({
                "code_hash": None, "pseudonym": secrets.token_hex(16),
                "full_name": f"Học viên mẫu {i + 1:05d}", "group": group, "unit_code": unit,
                "organisation": None, "email": None, "phone": None, "consent_version": "demo",
                "consent_at": joined, "created_at": joined, "last_seen_at": joined, "erased_at": None,
                "is_demo": True,
            })
            people.append((group, unit, joined, rng.gauss(0.6, 1.0)))
        ids: list[int] = []
        for chunk in _chunks(learner_rows):  # ids from the database, so its sequence stays right
            ids += db.scalars(insert(_learner).returning(_learner.c.id, sort_by_parameter_order=True), chunk).all()
        people = [(lid, *p) for lid, p in zip(ids, people, strict=True)]
        say(f"{learners:,} learners")

        difficulty = {qid: rng.gauss(-0.8, 0.9) for bank in banks.values() for qid in bank.questions}
        # a few questions that do not tell learners apart, so the statistics report has something to flag
        noisy = {qid for qid in difficulty if rng.random() < 0.06}
        attempt_rows: list[dict[str, Any]] = []
        answer_rows: list[dict[str, Any]] = []
        cert_rows: list[dict[str, Any]] = []
        trained: dict[tuple[str, str, str], int] = {}
        for lid, group, unit, joined, ability in people:
            modules = paths.get(group, sorted(banks))
            taken = modules[:max(1, min(len(modules), int(rng.expovariate(0.45)) + 1))]
            moment = joined
            for module_id in taken:
                bank = banks[module_id]
                qids = list(bank.questions)
                passed_once = False
                for attempt_no in range(1, 4):
                    drawn = rng.sample(qids, min(bank.questions_per_attempt, len(qids)))
                    right = []
                    for qid in drawn:
                        p = 0.55 if qid in noisy else _sigmoid(ability + 0.35 * (attempt_no - 1) - difficulty[qid])
                        right.append(rng.random() < p)
                    correct = sum(right)
                    score = correct / len(drawn)
                    passed = score >= bank.pass_mark
                    started_at = min(moment, until - timedelta(minutes=30))
                    submitted_at = started_at + timedelta(seconds=rng.randint(180, 1200))
                    aid = secrets.token_urlsafe(16)
                    attempt_rows.append({
                        "id": aid, "learner_id": lid, "module_id": module_id, "attempt_no": attempt_no,
                        "lang": "en" if rng.random() < 0.04 else "vi", "draw": "[]",
                        "question_count": len(drawn), "started_at": started_at,
                        "expires_at": started_at + timedelta(hours=1), "submitted_at": submitted_at,
                        "correct_count": correct, "score": score, "passed": passed,
                    })
                    answer_rows.extend({"attempt_id": aid, "position": pos, "question_id": qid,
                                        "chosen": "", "correct": ok}
                                       for pos, (qid, ok) in enumerate(zip(drawn, right, strict=True)))
                    if passed and not passed_once:
                        passed_once = True
                        cert_rows.append({"code": codes.new_code(8), "learner_id": lid, "kind": "module",
                                          "subject": module_id, "attempt_id": aid, "score": score,
                                          "issued_at": submitted_at})
                        key = (unit, group, module_id)
                        trained[key] = trained.get(key, 0) + 1
                    moment = submitted_at + timedelta(days=rng.randint(1, 20))
                    if moment >= until:
                        break
                    if passed or rng.random() < 0.35:  # some give up after a failure
                        break
                if moment >= until:
                    break
        for chunk in _chunks(attempt_rows):
            db.execute(insert(_attempt), chunk)
        say(f"{len(attempt_rows):,} attempts")
        for chunk in _chunks(answer_rows, 20_000):
            db.execute(insert(_answer), chunk)
        for chunk in _chunks(cert_rows):
            db.execute(insert(_cert), chunk)
        say(f"{len(answer_rows):,} answers, {len(cert_rows):,} certificates")

        # Targets: each unit and group with learners, for every module of the group's path; the
        # headcount is set so that some units meet their target and some do not.
        target_rows = []
        present = {(unit, group) for _, group, unit, _, _ in people}
        for unit, group in sorted(present):
            base = max(trained.get((unit, group, m), 0) for m in paths.get(group, []) or [""])
            headcount = max(5, math.ceil((base + 1) / rng.uniform(0.45, 1.15)))
            share = rng.choice((0.5, 0.7, 0.8, 1.0))
            for module_id in paths.get(group, []):
                target_rows.append({"year": year, "unit_code": unit, "group": group, "module_id": module_id,
                                    "headcount": headcount, "target_share": share})
        for chunk in _chunks(target_rows):
            db.execute(insert(_target), chunk)
        meta = {"seeded_at": now.replace(tzinfo=UTC).isoformat(), "learners": learners, "year": year,
                "seed": seed}
        if db.get(AppMeta, "demo") is None:
            db.add(AppMeta(key="demo", value=json.dumps(meta)))
        else:
            db.get(AppMeta, "demo").value = json.dumps(meta)
        say(f"{len(target_rows):,} targets")
        aggregates.rebuild(db.connection())  # bulk rows: the report aggregates are counted afresh
        say("report aggregates; committing")
    return {"learners": learners, "attempts": len(attempt_rows), "answers": len(answer_rows),
            "certificates": len(cert_rows), "targets": len(target_rows), "year": year,
            "seconds": time.monotonic() - started}


def is_demo(*, database: Database) -> bool:
    with database.reading() as db:
        return db.get(AppMeta, "demo") is not None
