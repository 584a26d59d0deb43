"""`kynangso backup DEST` and `kynangso restore SRC`: a consistent copy of the database, taken
while the service serves, and putting one back.

SQLite: the online backup API copies the database in one step inside one read transaction, so
the copy is the database as of one moment (WAL: writers go on meanwhile); it is written to a
temporary file, checked, synced and renamed, so DEST is never half a backup. A restore copies the
file into place while holding the database's exclusive lock, which a running server's open
connections prevent: stop the server first.

PostgreSQL: `pg_dump -Fc` (one snapshot, the custom format), and `pg_restore --clean --if-exists
--no-owner --single-transaction` into the configured database: all of it or nothing. The
password, if the URL has one, goes to the tools in PGPASSWORD, never on their command line.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url


class BackupError(Exception):
    """Why a backup or restore was refused or failed (the message is for the operator)."""


def sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError(f"{url} is not a database file")
    return Path(database)


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """The libpq URI for the tools (no password) and their environment (PGPASSWORD if any)."""
    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = parsed.password
    uri = parsed.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return uri, env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client)")
    return path


def backup(url: str, dest: Path, *, force: bool = False) -> int:
    """Write a consistent copy of the database to dest; its size in bytes."""
    dest = Path(dest)
    if dest.exists() and not force:
        raise BackupError(f"{dest} exists: choose another name, or --force to replace it")
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.with_name(dest.name + ".partial")
    partial.unlink(missing_ok=True)
    if url.startswith("sqlite"):
        source_path = sqlite_path(url)
        if not source_path.exists():
            raise BackupError(f"{source_path} does not exist")
        source = sqlite3.connect(source_path, timeout=30)
        target = sqlite3.connect(partial)
        try:
            source.backup(target)  # pages=-1: all in one step, one snapshot
            if target.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise BackupError("the copy failed its integrity check; nothing was written")
            target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        finally:
            target.close()
            source.close()
    else:
        uri, env = _libpq(url)
        done = subprocess.run([_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={partial}",
                               f"--dbname={uri}"], check=False, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            partial.unlink(missing_ok=True)
            raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
    with open(partial, "rb") as f:
        os.fsync(f.fileno())
    os.replace(partial, dest)
    _fsync_dir(dest.parent)
    return dest.stat().st_size


def restore(url: str, src: Path, *, force: bool = False) -> None:
    """Put the backup src in place of the configured database (stop the server first)."""
    src = Path(src)
    if not src.is_file():
        raise BackupError(f"{src} is not a file")
    if url.startswith("sqlite"):
        _restore_sqlite(sqlite_path(url), src, force=force)
    else:
        _restore_postgres(url, src, force=force)


def _restore_sqlite(target: Path, src: Path, *, force: bool) -> None:
    try:
        with sqlite3.connect(f"file:{src}?mode=ro", uri=True) as check:
            ok = check.execute("PRAGMA quick_check").fetchone()[0] == "ok"
            has_schema = check.execute("SELECT count(*) FROM sqlite_master WHERE name = 'alembic_version'").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{src} is not a SQLite backup: {exc}") from exc
    if not ok or not has_schema:
        raise BackupError(f"{src} is not a complete backup of this service's database")
    if target.exists() and not force:
        raise BackupError(f"{target} exists: --force replaces it (stop the server first)")
    target.parent.mkdir(parents=True, exist_ok=True)
    incoming = target.with_name(target.name + ".restoring")
    shutil.copyfile(src, incoming)
    with open(incoming, "rb") as f:
        os.fsync(f.fileno())
    lock = None
    if target.exists():
        # A running server keeps connections open, so the exclusive lock is refused: never pull the
        # file from under it. Held until the new file is in place, so no server starts meanwhile.
        lock = sqlite3.connect(target, timeout=0.5, isolation_level=None)
        try:
            lock.execute("PRAGMA locking_mode=EXCLUSIVE")
            lock.execute("BEGIN EXCLUSIVE")
            lock.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.OperationalError as exc:
            lock.close()
            incoming.unlink(missing_ok=True)
            raise BackupError(f"{target} is in use ({exc}): stop the server, then restore") from exc
    try:
        for suffix in ("-wal", "-shm", "-journal"):  # the old database's, never to be replayed on the new
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        os.replace(incoming, target)
        _fsync_dir(target.parent)
    finally:
        if lock is not None:
            lock.close()


def _restore_postgres(url: str, src: Path, *, force: bool) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            exists = conn.scalar(text("SELECT to_regclass('alembic_version') IS NOT NULL"))
    finally:
        engine.dispose()
    if exists and not force:
        raise BackupError("the configured database already has the service's tables: --force replaces them "
                          "(stop the servers first)")
    uri, env = _libpq(url)
    done = subprocess.run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
                           "--exit-on-error", f"--dbname={uri}", str(src)], check=False, env=env,
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"pg_restore failed (nothing was changed): {done.stderr.strip()}")


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
