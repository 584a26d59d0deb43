"""A cheap argon2id profile for tests (still argon2id: the algorithm is checked, not the cost)."""

import pytest
from argon2 import PasswordHasher

from quiz_api.organisers import security


@pytest.fixture(autouse=True, scope="session")
def _cheap_argon2():
    security.use_hasher(PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1))
