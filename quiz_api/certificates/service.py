"""Certificates: issued inside the submission's transaction when a module (or a path) is passed."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from pathlib import Path

import yaml
from sqlalchemy import and_, func, insert, select
from sqlalchemy.engine import Connection

from quiz_api import PACKAGE_DIR, codes
from quiz_api.attempts.models import Attempt
from quiz_api.certificates.models import Certificate
from quiz_api.learners.models import Learner

CODE_LENGTH = 8  # 40 random bits + check character, e.g. "7KQ2-M9XD-P"
_cert = Certificate.__table__
_attempt = Attempt.__table__
_learner = Learner.__table__


@lru_cache
def learning_paths(path: Path = PACKAGE_DIR / "learning_paths.yaml") -> dict[str, list[str]]:
    """Group id -> module ids of its learning path, in teaching order."""
    return yaml.safe_load(path.read_text("utf-8"))


def code_for(*, conn: Connection, learner_id: int, module_id: str) -> str | None:
    return conn.scalar(select(_cert.c.code).where(
        _cert.c.learner_id == learner_id, _cert.c.kind == "module", _cert.c.subject == module_id))


def _issue(conn: Connection, learner_id: int, kind: str, subject: str, attempt_id: str | None,
           score: float | None, now: datetime) -> str:
    existing = conn.scalar(select(_cert.c.code).where(
        _cert.c.learner_id == learner_id, _cert.c.kind == kind, _cert.c.subject == subject))
    if existing:
        return existing
    code = codes.new_code(CODE_LENGTH)
    conn.execute(insert(_cert).values(code=code, learner_id=learner_id, kind=kind, subject=subject,
                                      attempt_id=attempt_id, score=score, issued_at=now))
    return code


def issue_for_pass(*, conn: Connection, learner_id: int, module_id: str, attempt_id: str, score: float,
                   now: datetime) -> str:
    """The learner's certificate for the module (their first pass keeps its code); also the path one
    when this pass completes the learner's group path."""
    code = _issue(conn, learner_id, "module", module_id, attempt_id, score, now)
    group = conn.scalar(select(_learner.c.group).where(_learner.c.id == learner_id))
    path = learning_paths().get(group or "", [])
    if module_id in path:
        passed = conn.scalar(
            select(func.count(func.distinct(_cert.c.subject))).where(and_(
                _cert.c.learner_id == learner_id, _cert.c.kind == "module", _cert.c.subject.in_(path)))
        )
        if passed == len(path):
            _issue(conn, learner_id, "path", group, None, None, now)
    return code
