"""The built site served by the application: one strict build per test session, an app serving it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from quiz_api.main import create_app
from quiz_api.organisers import security
from tests.conftest import ROOT, clear_data, make_settings


@pytest.fixture(autouse=True, scope="session")
def _cheap_argon2():
    """Organisers log in here too: a cheap argon2id profile (the algorithm is the same)."""
    security.use_hasher(PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1))


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`mkdocs build --strict` (with the project's hooks, as `make site` runs it) into a temporary directory."""
    site = tmp_path_factory.mktemp("served-site")
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
                            cwd=ROOT, env=dict(os.environ, NO_MKDOCS_2_WARNING="1"), capture_output=True,
                            text=True, timeout=600, check=False)
    assert result.returncode == 0, f"mkdocs build --strict failed:\n{result.stderr[-4000:]}"
    return site


@pytest.fixture(scope="session")
def site_app(database_url: str, built_site: Path):
    return create_app(make_settings(database_url, site_dir=built_site))


@pytest.fixture
def site_client(site_app) -> Iterator[TestClient]:
    clear_data(site_app.state.database)
    site_app.state.code_limiter.reset()
    with TestClient(site_app) as c:
        yield c
