"""A small province driven through the application's own services, one change at a time.

Each change is what a person or an operator does: register, start and submit (a pass, a fail, a
retake, two tabs at once, an attempt left unsubmitted), erase, purge, correct a unit, import
units that move one under another parent, import targets, revoke a certificate, seed demo data,
rebuild the aggregates, fold the item statistics' queue.
The clock the submissions read is the test's: it runs forward, jumps months and years, goes back,
and stops on the local new year's edge.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path

from hypothesis import event as hypothesis_event
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context
from sqlalchemy import select

from quiz_api.aggregates import rebuild
from quiz_api.aggregates import service as aggregates
from quiz_api.attempts import service as attempts
from quiz_api.attempts.service import QuizSettings
from quiz_api.banks import load_banks
from quiz_api.certificates import service as certificates
from quiz_api.certificates.models import Certificate
from quiz_api.csvfiles import CsvFileError
from quiz_api.db import Database
from quiz_api.errors import DomainError
from quiz_api.learners import service as learners
from quiz_api.learners.models import Learner
from quiz_api.privacy import service as privacy
from quiz_api.reports import demo, targets
from quiz_api.units import service as units
from tests import writer_calls

ROOT = Path(__file__).resolve().parents[2]
UNITS_CSV = (ROOT / "quiz_api/profiles/tay-ninh/units.csv").read_bytes()
MODULES = ("mau-thu", "mau-hai")
UNIT_CODES = ("TN-P-long-an", "TN-S-so-y-te", "TN-S-so-noi-vu", "TN")
GROUPS = ("public_servant", "business", "citizen")
START = datetime(2026, 12, 29, 9, 0)  # days before the new year: a story often crosses it
NEW_YEAR_EDGE = datetime(2026, 12, 31, 16, 59, 59, 999_999)  # 23:59:59.999999 in Tây Ninh
QUIZ = QuizSettings(ttl=timedelta(hours=1), cooldown=timedelta(0))


def event(name: str) -> None:
    """Count what happened in hypothesis's statistics (--hypothesis-show-statistics), when under it."""
    if currently_in_test_context():
        hypothesis_event(name)


def two_banks(directory: Path) -> dict:
    """The fixture bank and a second module made from it (its own ids), so 'any module' differs."""
    directory.mkdir(parents=True, exist_ok=True)
    source = ROOT / "tests/fixtures/banks/mau-thu.yaml"
    shutil.copy(source, directory / "mau-thu.yaml")
    text = source.read_text("utf-8").replace("id: mau-thu", "id: mau-hai").replace("id: mau-0", "id: hai-0")
    (directory / "mau-hai.yaml").write_text(text, "utf-8")
    return load_banks(directory)


# --- the changes, as data hypothesis draws -------------------------------------------------------------

steps = st.sampled_from([timedelta(0), timedelta(microseconds=1), timedelta(minutes=5), timedelta(days=1),
                         timedelta(days=2), timedelta(days=40), timedelta(days=200), -timedelta(days=1),
                         -timedelta(days=40)])
pick = st.one_of(st.integers(0, 2), st.integers(0, 1_000))  # often the same few learners again
submission = st.tuples(pick, st.sampled_from(MODULES), st.integers(0, 5), st.booleans())  # who, module, right, left open

changes = st.one_of(
    st.tuples(st.just("register"), st.sampled_from(GROUPS), st.sampled_from(UNIT_CODES)),
    st.tuples(st.just("submit"), submission, steps),
    st.tuples(st.just("submit"), submission, steps),
    st.tuples(st.just("submit"), submission, steps),
    st.tuples(st.just("burst"), st.lists(submission, min_size=2, max_size=4)),
    st.tuples(st.just("clock"), st.one_of(steps, st.just("edge"))),
    st.tuples(st.just("erase"), pick),
    st.tuples(st.just("purge"), st.integers(1, 60)),
    st.tuples(st.just("correct"), pick, st.sampled_from(UNIT_CODES)),
    st.tuples(st.just("move_unit"), st.sampled_from(UNIT_CODES[:3]), st.sampled_from(UNIT_CODES)),
    st.tuples(st.just("targets"), st.sampled_from((2026, 2027)), st.sampled_from(UNIT_CODES),
              st.sampled_from(GROUPS), st.sampled_from(MODULES), st.integers(0, 20)),
    st.tuples(st.just("revoke"), pick),
    st.tuples(st.just("demo"), st.integers(1, 6)),
    st.tuples(st.just("rebuild")),
    st.tuples(st.just("fold")),
    st.tuples(st.just("fold")),
)


@dataclass
class World:
    database: Database
    banks: dict
    clock: datetime = START
    done: list[tuple] = field(default_factory=list)

    def reset(self, clear) -> None:
        self.done = []
        clear(self.database)
        with self.database.writing() as db:
            units.import_csv(db=db, data=UNITS_CSV)  # the tree as the profile has it (move_unit changes it)
        self.clock = START

    def now(self) -> datetime:
        return self.clock

    def _people(self, *, active: bool) -> list[int]:
        with self.database.reading() as db:
            query = select(Learner.id).order_by(Learner.id)
            if active:
                query = query.where(Learner.erased_at.is_(None))
            return list(db.scalars(query))

    def _someone(self, index: int, *, active: bool = True) -> int | None:
        people = self._people(active=active)
        return people[index % len(people)] if people else None

    def _start(self, learner_id: int, module_id: str) -> dict:
        return writer_calls.run(self.database, lambda conn: attempts.start(
            conn=conn, banks=self.banks, settings=QUIZ, learner_id=learner_id, module_id=module_id, lang="vi"))

    def _answers(self, started: dict, right: int) -> dict[str, list[str]]:
        bank = self.banks[started["module_id"]]
        out = {}
        for i, q in enumerate(started["questions"]):
            correct = sorted(bank.questions[q["id"]].correct)
            wrong = [c["id"] for c in q["choices"] if c["id"] not in correct][:1]
            out[q["id"]] = correct if i < right else wrong
        return out

    def _submit_all(self, drawn: list[tuple[int, str, int, bool]]) -> None:
        """Start each, then submit the ones not left open all at once: the writer batches them (one
        transaction, the same learner possibly twice; on PostgreSQL, record_many's set-based batch)."""
        jobs = []
        for who, module_id, right, left_open in drawn:
            learner_id = self._someone(who)
            if learner_id is None:
                continue
            started = self._start(learner_id, module_id)
            if not left_open:
                jobs.append(attempts.Submission(banks=self.banks, attempt_id=started["attempt_id"],
                                                answers=self._answers(started, right)))
        for future in [writer_calls.submit(self.database, job) for job in jobs]:
            result = future.result()
            event("passed" if result["passed"] else "failed")

    def apply(self, change: tuple) -> None:
        self.done.append(change)
        kind = change[0]
        try:
            getattr(self, f"_{kind}")(*change[1:])
            event(kind)
        except DomainError as exc:
            event(f"{kind} refused: {exc.key}")  # e.g. a demo seed over real learners: nothing changed

    def _register(self, group: str, unit: str) -> None:
        with self.database.writing() as db:
            learners.create(db=db, profile=learners.Profile("Người học", group, unit), consent=True,
                            consent_version="t")

    def _submit(self, drawn: tuple, step: timedelta) -> None:
        self.clock += step
        self._submit_all([drawn])

    def _burst(self, drawn: list) -> None:
        self._submit_all(drawn)

    def _clock(self, step) -> None:
        self.clock = NEW_YEAR_EDGE if step == "edge" else self.clock + step

    def _erase(self, who: int) -> None:
        learner_id = self._someone(who)
        if learner_id is not None:
            with self.database.writing() as db:
                privacy.erase(db=db, learner_id=learner_id)

    def _purge(self, days: int) -> None:
        with self.database.writing() as db:
            privacy.purge(db=db, retention_days=days, apply=True, now=self.clock)

    def _correct(self, who: int, unit: str) -> None:
        learner_id = self._someone(who, active=False)
        if learner_id is not None:
            with self.database.writing() as db:
                privacy.correct(db=db, learner_id=learner_id, changes={"unit_code": unit})

    def _move_unit(self, code: str, parent: str) -> None:
        if code == parent or parent != "TN" and code == "TN":
            return
        names = {"TN-P-long-an": ("Long An", "phường"), "TN-S-so-y-te": ("Sở Y tế", "sở"),
                 "TN-S-so-noi-vu": ("Sở Nội vụ", "sở")}
        name, kind = names[code]
        csv = f"code,name,kind,parent_code\n{code},{name},{kind},{parent}\n".encode()
        try:
            with self.database.writing() as db:
                units.import_csv(db=db, data=csv)
        except CsvFileError:
            event("move_unit refused: a cycle")  # refused whole: nothing changed

    def _targets(self, year: int, unit: str, group: str, module_id: str, headcount: int) -> None:
        csv = f"year,unit_code,group,module_id,headcount,target_share\n{year},{unit},{group},{module_id},{headcount},50%\n"
        with self.database.writing() as db:
            targets.import_csv(db=db, data=csv.encode(), known_modules=set(MODULES))

    def _revoke(self, which: int) -> None:
        with self.database.reading() as db:
            codes = list(db.scalars(select(Certificate.code).where(Certificate.kind == "module",
                                                                   Certificate.revoked_at.is_(None))
                                    .order_by(Certificate.code)))
        if codes:
            with self.database.writing() as db:
                certificates.revoke(db=db, code=codes[which % len(codes)], reason="cấp nhầm", actor="test")

    def _rebuild(self) -> None:
        """`kynangso aggregates rebuild`: the rows counted afresh (firsts tallied in Python), which
        the check (firsts ranked in SQL) must find equal."""
        with self.database.writing() as db:
            rebuild.rebuild(db.connection())

    def _fold(self) -> None:
        """What the app does every few seconds: the queued first attempts counted in the item statistics."""
        while writer_calls.run(self.database, partial(aggregates.fold, limit=3)) == 3:
            pass

    def _demo(self, people: int) -> None:
        demo.seed(database=self.database, banks=self.banks, learners=people, seed=people)
