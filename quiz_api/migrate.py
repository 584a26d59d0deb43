"""Schema migrations (Alembic), run from code so `kynangso db upgrade` needs no alembic.ini."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from quiz_api import PACKAGE_DIR


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(PACKAGE_DIR / "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.set_main_option("file_template", "%%(year)d%%(month).2d%%(day).2d_%%(rev)s_%%(slug)s")
    return config


# pg_advisory_lock's key for schema upgrades: any fixed 64-bit number no other code of ours uses.
UPGRADE_LOCK = 0x6B796E616E67  # "kynang"


def upgrade(url: str, revision: str = "head") -> None:
    """Upgrade the schema to revision. On PostgreSQL, under an advisory lock held on a connection
    of its own: hosts that upgrade at once (every `kynangso serve` without --no-upgrade, or a
    deploy step run everywhere) take turns, and the ones after the first find the schema at head
    and do nothing. Without it both would create the same tables and one would fail half-way."""
    if not url.startswith("postgresql"):
        command.upgrade(alembic_config(url), revision)
        return
    engine = create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with engine.connect() as lock:
            lock.execute(text("SELECT pg_advisory_lock(:key)"), {"key": UPGRADE_LOCK})
            try:
                command.upgrade(alembic_config(url), revision)
            finally:
                lock.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": UPGRADE_LOCK})
    finally:
        engine.dispose()


def revision(url: str, message: str) -> None:
    """Autogenerate a migration from the models (developers: after changing a model)."""
    command.revision(alembic_config(url), message=message, autogenerate=True)
