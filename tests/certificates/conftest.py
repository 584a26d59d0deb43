"""Admin accounts in the revocation tests use the organisers' cheap argon2id profile."""

from tests.organisers.conftest import _cheap_argon2  # noqa: F401  (an autouse fixture)
