"""Engine, metadata, sessions and the group-commit writer.

SQLite is the embedded default: WAL with synchronous=FULL, so an acknowledged write survives a
power cut, and write transactions start with BEGIN IMMEDIATE, so two writers queue on the lock
(busy_timeout) instead of failing with "database is locked" when a read upgrades to a write.

The hot writes (starting and submitting attempts) go through `Database.writer`: one thread owns
them and commits a whole batch of requests with one fsync, answering each request only after
that commit returned. Measured (bench/submit_bench.py, README "Performance"): threads queueing
on SQLite's lock spent 97% of their database time inside BEGIN IMMEDIATE, polling with
busy-timeout sleeps, which made p99 seconds long.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, MetaData, create_engine, event
from sqlalchemy import exc as sqlalchemy_exc
from sqlalchemy.engine import Connection
from sqlalchemy.orm import DeclarativeBase, Session

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


SQLITE_PRAGMAS = (
    "journal_mode=WAL",
    "synchronous=FULL",
    "foreign_keys=ON",
    "busy_timeout=30000",
    "cache_size=-32000",
    "temp_store=MEMORY",
    # Erasure must leave no old value in the file: the space a rewritten or deleted row leaves in its
    # page is overwritten with zeros. FAST does it only where no extra page write is needed (pages
    # already dirty), which is the case of an erasure: rows shrink in place, no page is freed.
    "secure_delete=FAST",
)
SCRUB = "kynangso_scrub"  # Session.info flag: the transaction erased personal data (see Database.writing)


def scrub_after_commit(session: Session) -> None:
    """Ask Database.writing to push this transaction out of the SQLite WAL once it commits, so the
    old values (still in earlier WAL frames) are gone from every file, not only from the table."""
    session.info[SCRUB] = True


def make_engine(url: str, *, pool_size: int = 10, pool_timeout: float = 30.0) -> Engine:
    """Create the engine for url; SQLite gets its pragmas and explicit transaction control.
    PostgreSQL: pool_size connections kept, twice as many more at a peak, pool_timeout seconds to wait
    for one (then sqlalchemy's TimeoutError, answered 503)."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_size=8,
            max_overflow=32,
            hide_parameters=True,  # an error's text (logged) never carries a code or an attempt id
        )

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn, _record):
            dbapi_conn.isolation_level = None  # we emit BEGIN ourselves (see _on_begin)
            cur = dbapi_conn.cursor()
            for pragma in SQLITE_PRAGMAS:
                cur.execute(f"PRAGMA {pragma}")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Connection) -> None:
            mode = "IMMEDIATE" if conn.get_execution_options().get("write") else "DEFERRED"
            conn.exec_driver_sql(f"BEGIN {mode}")

        return engine
    engine = create_engine(url, pool_size=pool_size, max_overflow=2 * pool_size, pool_timeout=pool_timeout,
                           pool_pre_ping=True, hide_parameters=True)

    @event.listens_for(engine, "before_cursor_execute")
    def _count_writes(conn, _cursor, statement, _params, _context, _many) -> None:
        if _writes(statement):  # see _run_jobs: what a job wrote, without a savepoint
            _count_write(conn.info)

    return engine


WRITES = "kynangso_writes"  # PostgreSQL: statements other than SELECT run on a connection (its info dict)
_WRITE_STATEMENTS: dict[str, bool] = {}


def _writes(statement: str) -> bool:
    """Whether a statement may write (anything but a plain SELECT), cached per statement text."""
    writes = _WRITE_STATEMENTS.get(statement)
    if writes is None:
        writes = _WRITE_STATEMENTS[statement] = statement.lstrip()[:6].upper() != "SELECT"
    return writes


def _count_write(info: dict) -> None:
    info[WRITES] = info.get(WRITES, 0) + 1


T = TypeVar("T")
log = logging.getLogger("kynangso.db")
DEFERRED = "kynangso_deferred"  # conn.info, while the group-commit writer runs a batch: what its jobs deferred


def defer(conn: Connection, flush: Callable[[Connection, list[Any]], None], item: Any) -> None:
    """Leave item to flush(conn, items): inside the group-commit writer, each flush is called once
    per batch, with every item the batch's jobs left it, after the last job and before COMMIT;
    elsewhere (a session's transaction), at once.

    For running totals that many jobs add to (the report aggregates): a batch writes each of
    their rows once, merged, and in one order, so PostgreSQL's writer threads never lock two of
    them in opposite orders (a deadlock) and hold them only from the flush to the commit. A job
    that fails leaves nothing here (_run_jobs drops what it deferred).
    """
    pending = conn.info.get(DEFERRED)
    if pending is None:
        flush(conn, [item])
    else:
        pending.append((flush, item))


def _flush_deferred(conn: Connection, pending: list[tuple[Callable, Any]]) -> None:
    by_flush: dict[Callable, list[Any]] = {}
    for flush, item in pending:
        by_flush.setdefault(flush, []).append(item)
    for flush, items in by_flush.items():
        flush(conn, items)


class Raw:
    """Driver-level statements for the hot path, inside a Connection's current transaction.

    SQLAlchemy Core costs about 60 µs of Python per statement (cache key, compile lookup, result
    set-up); the driver's own execute costs a few. SQL is written once with `?` placeholders and
    translated for psycopg; datetimes are stored the way SQLAlchemy stores them, so ORM, Core and
    these statements read each other's rows.
    """

    def __init__(self, conn: Connection) -> None:
        self.sqlite = conn.dialect.name == "sqlite"
        self.cursor = conn.connection.driver_connection.cursor()
        self.info = conn.info  # PostgreSQL: the write count _run_jobs reads

    def sql(self, statement: str) -> str:
        return statement if self.sqlite else _pyformat(statement)

    def dt(self, value: datetime | None) -> Any:
        """A naive UTC datetime as a parameter (SQLite: SQLAlchemy's text format)."""
        if value is None or not self.sqlite:
            return value
        return value.isoformat(" ", "microseconds")  # what SQLAlchemy writes; a third of strftime's cost

    def read_dt(self, value: Any) -> datetime | None:
        if value is None or isinstance(value, datetime):
            return value
        return datetime.fromisoformat(value)

    def execute(self, statement: str, params: tuple = ()) -> Any:
        if self.sqlite:  # SQLite counts its own changes (total_changes)
            self.cursor.execute(statement, params)
            return self.cursor
        if _writes(statement):
            _count_write(self.info)
        self.cursor.execute(_pyformat(statement), params)
        return self.cursor

    def insert_rows(self, statement: str, rows: list[tuple]) -> None:
        """INSERT .. VALUES (?, ..) for many rows. SQLite: executemany, the cheapest there (one
        prepared statement stepped per row; a 10-row VALUES list cost 60 µs against 36). psycopg:
        one multi-row VALUES statement, one round trip (executemany cost 220 µs of CPU for 10 rows)."""
        if not rows:
            return
        if self.sqlite:
            self.cursor.executemany(statement, rows)
            return
        head, _, one = statement.rpartition(" VALUES ")
        _count_write(self.info)
        self.cursor.execute(self.sql(f"{head} VALUES {', '.join([one] * len(rows))}"),
                            [value for row in rows for value in row])


_PYFORMAT: dict[str, str] = {}


def _pyformat(statement: str) -> str:
    translated = _PYFORMAT.get(statement)
    if translated is None:
        translated = _PYFORMAT[statement] = statement.replace("%", "%%").replace("?", "%s")
    return translated


@dataclass
class _Job:
    fn: Callable[[Connection], Any]
    future: asyncio.Future
    loop: asyncio.AbstractEventLoop | None = None  # thread mode: the caller's loop, woken from a writer thread
    queued_at: float = field(default_factory=time.monotonic)


class WriterBusy(sqlalchemy_exc.TimeoutError):
    """The writer refused a job before running it: its queue was full, or the job waited longer
    than the writer's budget for its batch. Nothing of the job was stored; the client may retry.
    A kind of pool timeout (no connection to write with in time), so whatever answers a pool
    timeout with 503 server_busy and Retry-After answers this too."""


_STOP = object()
Outcome = tuple[_Job, bool, Any]  # (job, succeeded, result or exception)


class _WroteThenFailed(Exception):
    """A job raised after writing, with no savepoint to undo it: roll the batch back, run it isolated."""


def _run_jobs(conn: Connection, jobs: list[_Job], isolated: bool = False) -> list[Outcome]:
    """Run the jobs inside conn's open transaction; a job that raises leaves nothing behind.

    Unless isolated, the jobs run one after another with no savepoints. A job that raises before
    writing anything (every domain error: an unknown attempt, an expired one, bad answers, a
    cooldown) needs no undoing. What tells whether it wrote: SQLite's total_changes; on
    PostgreSQL, the count of statements other than SELECT run on the connection (Raw and
    SQLAlchemy's before_cursor_execute both count) and the transaction's state (a failed statement
    leaves it in error). If a job raises after writing, or a statement failed, _WroteThenFailed
    tells the caller to roll the transaction back and run the batch again isolated: each job in
    its own driver-level savepoint. Measured: a savepoint per job cost 25-30 µs a submission on
    SQLite (bench/submit_inprocess.py), mostly copying each page a job first touches into the
    sub-journal; on PostgreSQL it is two of a submission's round trips.

    Bulk jobs (PostgreSQL): a job whose function has a `bulk` attribute, next to others with the
    same one, runs with them as one call, `bulk(conn, [fn, ...])`, which answers (succeeded,
    result or exception) for each and writes nothing for one it reports failed: a few set-based
    statements for the lot instead of a few round trips each (attempts.Submission). If the call
    raises, the batch is rolled back and run again isolated, each job alone.

    What the jobs deferred (defer) is flushed after the last one; a job that failed leaves nothing
    deferred.
    """
    pending: list[tuple[Callable, Any]] = []
    conn.info[DEFERRED] = pending
    try:
        outcomes = _run_jobs_isolated(conn, jobs) if isolated else _run_jobs_plain(conn, jobs)
        _flush_deferred(conn, pending)
        return outcomes
    finally:
        del conn.info[DEFERRED]


def _run_jobs_plain(conn: Connection, jobs: list[_Job]) -> list[Outcome]:
    pending = conn.info[DEFERRED]
    dbapi = conn.connection.driver_connection
    if conn.dialect.name == "sqlite":
        def changes() -> int:
            return dbapi.total_changes

        def failed() -> bool:
            return False
    else:
        from psycopg import pq

        info = conn.info

        def changes() -> int:
            return info.get(WRITES, 0)

        def failed() -> bool:
            return dbapi.info.transaction_status == pq.TransactionStatus.INERROR
    outcomes: list[Outcome] = []
    bulk_ok = conn.dialect.name != "sqlite"  # SQLite statements cost no round trip: one job at a time
    i = 0
    while i < len(jobs):
        job = jobs[i]
        bulk = getattr(job.fn, "bulk", None) if bulk_ok else None
        if bulk is not None:
            end = i + 1
            while end < len(jobs) and getattr(jobs[end].fn, "bulk", None) is bulk:
                end += 1
            if end - i > 1:
                group = jobs[i:end]
                try:
                    results = bulk(conn, [g.fn for g in group])
                except BaseException as exc:  # rolled back: every job of the batch again, alone, in a savepoint
                    raise _WroteThenFailed from exc
                if failed():
                    raise _WroteThenFailed
                outcomes.extend((g, ok, value) for g, (ok, value) in zip(group, results, strict=True))
                i = end
                continue
        i += 1
        before, deferred = changes(), len(pending)
        try:
            value = job.fn(conn)
        except BaseException as exc:
            if changes() != before or failed():
                raise _WroteThenFailed from exc
            del pending[deferred:]
            outcomes.append((job, False, exc))
        else:
            if failed():  # the job caught a failed statement's error: the transaction is unusable
                raise _WroteThenFailed
            outcomes.append((job, True, value))
    return outcomes


def _run_jobs_isolated(conn: Connection, jobs: list[_Job]) -> list[Outcome]:
    """Run each job in its own SAVEPOINT inside conn's open transaction."""
    pending = conn.info[DEFERRED]
    cursor = conn.connection.driver_connection.cursor()
    outcomes: list[Outcome] = []
    for job in jobs:
        for attempt in range(TRANSIENT_TRIES):
            cursor.execute("SAVEPOINT job")
            deferred = len(pending)
            try:
                value = job.fn(conn)
            except BaseException as exc:  # noqa: BLE001 - handed to the job's caller
                del pending[deferred:]
                cursor.execute("ROLLBACK TO SAVEPOINT job")
                cursor.execute("RELEASE SAVEPOINT job")
                if _transient(exc) and attempt + 1 < TRANSIENT_TRIES:
                    log.warning("a job met %s: run again", type(exc).__name__)
                    continue
                if _transient(exc):  # nothing stored: the client may send it again
                    busy = WriterBusy(f"the database kept refusing the job: {exc}")
                    busy.__cause__ = exc
                    exc = busy
                outcomes.append((job, False, exc))
            else:
                cursor.execute("RELEASE SAVEPOINT job")
                outcomes.append((job, True, value))
            break
    return outcomes


# PostgreSQL chose this transaction to break a deadlock (two batches locking learners in opposite
# orders: it happened once to parallel starts) or could not serialise it: the job's work is undone
# and it succeeds when run again. After TRANSIENT_TRIES it is answered 503 busy, never 500.
TRANSIENT_SQLSTATES = frozenset({"40P01", "40001"})
TRANSIENT_TRIES = 3


def _transient(exc: BaseException) -> bool:
    for e in (exc, getattr(exc, "orig", None)):
        if getattr(e, "sqlstate", None) in TRANSIENT_SQLSTATES:
            return True
    return False


class GroupCommitWriter:
    """Write jobs run in batches: one transaction, one commit (one fsync) per batch.

    A job is a function of a Connection inside the batch's transaction. A job that raises (a domain
    error, say) leaves nothing behind and the others in the batch still commit (_run_jobs:
    without a savepoint per job unless one wrote before it raised). A job's caller gets its
    result only after the batch's COMMIT returned, so an answer is never sent for a write that is
    not yet durable. If BEGIN or COMMIT fails, every job in the batch fails with that error and
    nothing of the batch is stored.

    The batch is whatever queued while the previous batch ran (up to max_batch): under light load a
    job commits alone at once; under heavy load many share one fsync.

    Two ways to run a batch, measured with bench/submit_bench.py:
    - awaited on SQLite (`await writer(fn)`): the jobs run in the event loop's own thread, between
      a BEGIN IMMEDIATE and a COMMIT that run in a helper thread (taking the lock may wait, the
      commit's fsync does). Under the write lock SQLite statements never wait, so the loop is
      blocked only for their CPU time, and it keeps serving requests during the fsync. A thread
      hand-off per request cost about 140 µs of CPU (GIL ping-pong); this costs two per batch.
    - otherwise (PostgreSQL, where every statement is a network round trip): writer threads run
      the batches (four on PostgreSQL, each with its own connection, so round trips overlap);
      awaiting callers of one event loop are woken with one call_soon_threadsafe per batch.

    Over capacity the queue only grows, and every request in it waits longer. So a job is refused
    with WriterBusy (503 server_busy, Retry-After) when queue_max jobs already wait, or when it
    waited longer than max_wait for its batch: always before it runs, so a refused job has stored
    nothing and an accepted one is answered only after its commit.
    """

    def __init__(self, engine: Engine, max_batch: int = 64, queue_max: int | None = None,
                 max_wait: float | None = None) -> None:
        self.engine = engine
        self.max_batch = max_batch
        self.queue_max = queue_max  # jobs waiting (not counting running batches); None: unbounded
        self.max_wait = max_wait  # seconds a job may wait for its batch; None: no limit
        self.shed = 0  # jobs refused so far (WriterBusy), for the log
        self._shed_logged = (0.0, 0)  # (when, count) of the last log line about refused jobs
        self.in_loop = engine.dialect.name == "sqlite"
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        # SQLite has one writer at a time anyway; PostgreSQL commits concurrent transactions together
        # and every statement waits for a round trip, so several writer threads keep it busy.
        self.threads = 1 if self.in_loop else 4
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._helper: ThreadPoolExecutor | None = None  # loop mode: runs BEGIN and COMMIT
        self._pending: dict[asyncio.AbstractEventLoop, list[_Job]] = {}  # loop mode: per event loop
        self._drains: set[asyncio.Task] = set()  # keeps running drain tasks referenced
        # Told after each batch: (jobs in it, jobs still waiting, seconds from BEGIN to COMMIT's end).
        self.on_batch: Callable[[int, int, float], None] | None = None

    async def __call__(self, fn: Callable[[Connection], T]) -> T:
        """Awaitable: queue fn and wait for its committed result without blocking the event loop."""
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        if not self.in_loop:
            self._put(_Job(fn, future, loop))
            return await future
        pending = self._pending.get(loop)
        if pending is None:  # no batch running for this loop: start the drain
            pending = self._pending[loop] = []
            task = loop.create_task(self._drain(loop, pending))
            self._drains.add(task)
            task.add_done_callback(self._drains.discard)
        elif self.queue_max is not None and len(pending) >= self.queue_max:
            self._refuse(1)
            raise WriterBusy("the writer's queue is full")
        pending.append(_Job(fn, future))
        return await future

    # -- shedding load ---------------------------------------------------------------------------------

    def _take_stale(self, jobs: list[_Job], ordered: bool = False) -> list[Outcome]:
        """Remove from jobs (not yet run) those that waited longer than max_wait; their outcome is
        WriterBusy. Over capacity a queue only grows: refused now, a client learns it in max_wait
        and may retry, instead of waiting a minute for a batch or for its own timeout. `ordered`:
        the jobs are in the order they were queued (one event loop's), only the head is looked at."""
        if self.max_wait is None or not jobs:
            return []
        deadline = time.monotonic() - self.max_wait
        if ordered:
            n = 0
            while n < len(jobs) and jobs[n].queued_at < deadline:
                n += 1
            stale = jobs[:n]
            del jobs[:n]
        else:
            stale = [job for job in jobs if job.queued_at < deadline]
            if stale:
                jobs[:] = [job for job in jobs if job.queued_at >= deadline]
        if not stale:
            return []
        self._refuse(len(stale))
        busy = WriterBusy(f"waited over {self.max_wait:g} s for the writer")
        return [(job, False, busy) for job in stale]

    def _refuse(self, count: int) -> None:
        """Count refused jobs; say so in the log at most once a second."""
        with self._lock:
            self.shed += count
            now = time.monotonic()
            when, logged = self._shed_logged
            if now - when < 1.0:
                return
            self._shed_logged = (now, self.shed)
        log.warning("writer over capacity: %d job(s) refused (503) since the last report", self.shed - logged)

    async def drained(self) -> None:
        """Wait until the batches this event loop started have ended (committed or rolled back): at
        shutdown, so that no write transaction is left open by a loop about to close (a batch cut
        off there kept SQLite's write lock, and the next user of the file met "database is locked")."""
        loop = asyncio.get_running_loop()
        tasks = [task for task in self._drains if task.get_loop() is loop]
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    # -- loop mode (SQLite) ---------------------------------------------------------------------------

    async def _drain(self, loop: asyncio.AbstractEventLoop, pending: list[_Job]) -> None:
        jobs: list[_Job] = []
        try:
            while pending:
                _set_all(self._take_stale(pending, ordered=True))
                jobs = pending[: self.max_batch]
                del pending[: self.max_batch]
                if not jobs:
                    break
                began = time.perf_counter()
                helper = self._helper_pool()
                outcomes, error = await self._run_in_loop(loop, helper, jobs, isolated=False)
                if isinstance(error, _WroteThenFailed):  # rolled back: again, each job in a savepoint
                    log.warning("a job failed after writing: its batch of %d is run again, isolated", len(jobs))
                    outcomes, error = await self._run_in_loop(loop, helper, jobs, isolated=True)
                if error is None:
                    _set_all(outcomes)
                else:
                    self._fail(jobs, error)
                if self.on_batch is not None:
                    self.on_batch(len(jobs), len(pending), time.perf_counter() - began)
                jobs = []
        finally:
            if self._pending.get(loop) is pending:
                del self._pending[loop]
            self._fail(jobs + pending, RuntimeError("the writer stopped before this job committed"))

    async def _run_in_loop(self, loop: asyncio.AbstractEventLoop, helper: ThreadPoolExecutor, jobs: list[_Job],
                           isolated: bool) -> tuple[list[Outcome], BaseException | None]:
        """One transaction: BEGIN and COMMIT in the helper thread, the jobs here in the loop.
        The jobs' outcomes, or the error that left nothing of the batch stored."""
        try:
            conn, txn = await loop.run_in_executor(helper, self._begin)
        except Exception as exc:  # noqa: BLE001 - no transaction: the jobs fail, nothing ran
            return [], exc
        outcomes: list[Outcome] = []
        error: BaseException | None = None
        try:
            outcomes = _run_jobs(conn, jobs, isolated)
        except Exception as exc:  # noqa: BLE001 - the driver failed between jobs, or a job wrote then failed
            error = exc
        try:
            await loop.run_in_executor(helper, self._end, conn, txn, error is None)
        except Exception as exc:  # noqa: BLE001 - COMMIT failed: nothing of the batch is stored
            error = error or exc
        return outcomes, error

    def _helper_pool(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._helper is None:
                self._helper = ThreadPoolExecutor(1, thread_name_prefix="group-commit-sqlite")
            return self._helper

    def _begin(self) -> tuple[Connection, Any]:
        conn = self.engine.connect()
        try:
            return conn, conn.begin()  # BEGIN IMMEDIATE: waits here, not in the loop, for the lock
        except BaseException:
            conn.close()
            raise

    @staticmethod
    def _end(conn: Connection, txn: Any, commit: bool) -> None:
        """COMMIT (or ROLLBACK) and give the connection back; one whose COMMIT failed is discarded,
        closing it rolls back whatever the failed commit left open."""
        try:
            txn.commit() if commit else txn.rollback()
        except BaseException:
            conn.invalidate()
            raise
        finally:
            conn.close()

    @staticmethod
    def _fail(jobs: list[_Job], exc: BaseException) -> None:
        if jobs:
            log.warning("group commit of %d job(s) failed: %s", len(jobs), exc)
        for job in jobs:
            if not job.future.done():
                job.future.set_exception(exc)
        jobs.clear()

    # -- thread mode ----------------------------------------------------------------------------------

    def _put(self, job: _Job) -> None:
        if not self._threads:
            self._start()
        if self.queue_max is not None and self._queue.qsize() >= self.queue_max:
            self._refuse(1)
            raise WriterBusy("the writer's queue is full")
        self._queue.put(job)

    def _start(self) -> None:
        with self._lock:  # started lazily, in the process (worker) that uses it
            if not self._threads:
                for i in range(self.threads):
                    thread = threading.Thread(target=self._loop, name=f"group-commit-writer-{i}", daemon=True)
                    thread.start()
                    self._threads.append(thread)

    def stop(self) -> None:
        with self._lock:
            for _ in self._threads:
                self._queue.put(_STOP)
            for thread in self._threads:
                thread.join(timeout=30)
            self._threads = []
            if self._helper is not None:
                self._helper.shutdown(wait=True)
                self._helper = None

    def _loop(self) -> None:
        while True:
            job = self._queue.get()
            if job is _STOP:
                return
            batch = [job]
            stop = False
            while len(batch) < self.max_batch:
                try:
                    job = self._queue.get_nowait()
                except queue.Empty:
                    break
                if job is _STOP:
                    stop = True
                    break
                batch.append(job)
            stale = self._take_stale(batch)
            began = time.perf_counter()
            self._resolve((self._run_batch(batch) if batch else []) + stale)
            if self.on_batch is not None and batch:
                self.on_batch(len(batch), self._queue.qsize(), time.perf_counter() - began)
            if stop:
                return

    def _run_batch(self, jobs: list[_Job]) -> list[Outcome]:
        """Run the jobs in one transaction; their outcomes, once COMMIT has returned."""
        isolated = False
        while True:
            try:
                conn, txn = self._begin()
                try:
                    outcomes = _run_jobs(conn, jobs, isolated)
                except BaseException:
                    self._end(conn, txn, False)
                    raise
                self._end(conn, txn, True)
            except _WroteThenFailed:  # rolled back: again, each job in a savepoint
                log.warning("a job failed after writing: its batch of %d is run again, isolated", len(jobs))
                isolated = True
                continue
            except BaseException as exc:  # noqa: BLE001 - BEGIN or COMMIT failed: nothing of the batch is stored
                log.warning("group commit of %d job(s) failed: %s", len(jobs), exc)
                return [(job, False, exc) for job in jobs]
            return outcomes

    @staticmethod
    def _resolve(outcomes: list[Outcome]) -> None:
        by_loop: dict[asyncio.AbstractEventLoop, list[Outcome]] = {}
        for outcome in outcomes:
            by_loop.setdefault(outcome[0].loop, []).append(outcome)
        for loop, items in by_loop.items():
            try:
                loop.call_soon_threadsafe(_set_all, items)
            except RuntimeError:  # the loop has closed: nobody is waiting any more
                pass


def _set_all(items: list[Outcome]) -> None:
    """In the event loop's thread: hand each awaiting request its committed result."""
    for job, ok, value in items:
        if not job.future.done():
            job.future.set_result(value) if ok else job.future.set_exception(value)


class Database:
    """The engine plus three ways in: read transactions, write transactions and the group-commit writer."""

    def __init__(self, url: str, *, pool_size: int = 10, pool_timeout: float = 30.0,
                 writer_queue_max: int | None = None, writer_max_wait: float | None = None) -> None:
        self.url = url
        self.engine = make_engine(url, pool_size=pool_size, pool_timeout=pool_timeout)
        # On SQLite a write transaction takes the write lock at BEGIN; elsewhere it is the same engine.
        self.write_engine = self.engine.execution_options(write=True)
        self.writer = GroupCommitWriter(self.write_engine, queue_max=writer_queue_max, max_wait=writer_max_wait)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def reading(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """A session whose work commits on success and rolls back whole on any error."""
        with Session(self.write_engine, expire_on_commit=False) as session:
            with session.begin():
                yield session
            if session.info.get(SCRUB):
                self.scrub()

    def scrub(self, attempts: int = 50) -> bool:
        """SQLite: checkpoint the WAL into the database file and truncate it, so overwritten personal
        data survives in neither file (secure_delete zeroes it in the pages). A reader holding an old
        snapshot makes the checkpoint busy: retried for up to about 5 s. PostgreSQL keeps old row
        versions until VACUUM (README, "Security"); nothing to do here. True when done."""
        if self.engine.dialect.name != "sqlite":
            return True
        for _ in range(attempts):
            raw = self.engine.raw_connection()  # autocommit (isolation_level None): no snapshot of its own
            try:
                busy, _log, _done = raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            finally:
                raw.close()
            if not busy:
                return True
            time.sleep(0.1)
        log.warning("WAL checkpoint after an erasure stayed busy; it completes at the next checkpoint")
        return False

    def dispose(self) -> None:
        self.writer.stop()
        self.engine.dispose()
