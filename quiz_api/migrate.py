"""Schema migrations (Alembic), run from code so `kynangso db upgrade` needs no alembic.ini."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from quiz_api import PACKAGE_DIR


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(PACKAGE_DIR / "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.set_main_option("file_template", "%%(year)d%%(month).2d%%(day).2d_%%(rev)s_%%(slug)s")
    return config


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def revision(url: str, message: str) -> None:
    """Autogenerate a migration from the models (developers: after changing a model)."""
    command.revision(alembic_config(url), message=message, autogenerate=True)
