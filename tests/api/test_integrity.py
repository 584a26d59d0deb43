"""Quiz integrity: the attempt id is the learner's secret, and one open attempt per module."""

from __future__ import annotations

import io
import json
import zipfile
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from quiz_api.attempts.models import Attempt
from quiz_api.db import utcnow
from quiz_api.learners.models import Learner
from quiz_api.privacy import service as privacy
from tests.api.test_api import MODULE, start
from tests.conftest import answer_key, new_learner
from tests.organisers.helpers import bearer, make_organiser


def open_attempts(database) -> int:
    with database.reading() as db:
        return db.scalar(select(func.count()).select_from(Attempt).where(Attempt.submitted_at.is_(None)))


def test_starting_again_gives_back_the_open_attempt_with_the_same_questions(client, database):
    code = new_learner(client)
    first = start(client, code)
    again = start(client, code)
    assert again["attempt_id"] == first["attempt_id"] and again["questions"] == first["questions"]
    assert first["resumed"] is False and again["resumed"] is True
    assert open_attempts(database) == 1


def test_concurrent_starts_make_one_open_attempt(client, database):
    """Fourteen attempts started at once used to give fourteen draws, each answered from the
    results of the one before (the cooldown dodged); now they all share one."""
    code = new_learner(client)
    body = {"learner_code": code, "module_id": MODULE}
    with ThreadPoolExecutor(8) as pool:
        responses = list(pool.map(lambda _: client.post("/api/v1/attempts", json=body), range(14)))
    assert all(r.status_code == 201 for r in responses), [r.text for r in responses]
    assert len({r.json()["attempt_id"] for r in responses}) == 1
    assert open_attempts(database) == 1


def test_the_cooldown_cannot_be_dodged_with_attempts_started_beforehand(client, banks):
    code = new_learner(client)
    attempt = start(client, code)
    start(client, code)  # a second start is the same attempt, not a spare one
    client.post(f"/api/v1/attempts/{attempt['attempt_id']}/submit",
                json={"answers": answer_key(banks, attempt, right=0)})
    response = client.post("/api/v1/attempts", json={"learner_code": code, "module_id": MODULE})
    assert response.status_code == 429 and response.json()["code"] == "cooldown"


def test_an_expired_open_attempt_gives_way_to_a_new_one(client, database):
    code = new_learner(client)
    first = start(client, code)
    with database.writing() as db:
        db.execute(update(Attempt).values(expires_at=utcnow() - timedelta(minutes=1)))
    second = start(client, code)
    assert second["attempt_id"] != first["attempt_id"] and second["resumed"] is False


def test_open_attempts_are_per_learner(client):
    assert start(client, new_learner(client))["attempt_id"] != start(client, new_learner(client))["attempt_id"]


REPORTS = {"completions": ("json", "csv", "xlsx", "jsonl"), "attempts": ("json", "csv", "xlsx", "jsonl"),
           "xapi": ("json", "jsonl")}


def _text(response) -> str:
    if response.headers["content-type"].startswith("application/vnd.openxmlformats"):
        with zipfile.ZipFile(io.BytesIO(response.content)) as book:
            return "".join(book.read(name).decode("utf-8") for name in book.namelist())
    return response.text


def test_no_report_or_export_reveals_an_attempt_id(client, banks, database):
    """An organiser who could read an open attempt's id could submit it in the learner's name."""
    make_organiser(database, "admin", admin=True)
    headers = bearer(client, "admin")
    code = new_learner(client)
    passed = start(client, code)
    client.post(f"/api/v1/attempts/{passed['attempt_id']}/submit",
                json={"answers": answer_key(banks, passed, right=5)})
    still_open = start(client, new_learner(client, full_name="Trần Thị Bình"))
    secrets = [passed["attempt_id"], still_open["attempt_id"]]
    for kind, formats in REPORTS.items():
        for fmt in formats:
            response = client.get(f"/api/v1/reports/{kind}?format={fmt}", headers=headers)
            assert response.status_code == 200, (kind, fmt, response.text)
            body = _text(response)
            assert body.strip(), (kind, fmt)
            for secret in secrets:
                assert secret not in body and secret[9:] not in body, (kind, fmt)
    from quiz_api.audit import AuditLog
    with database.reading() as db:
        audit = " ".join(f"{row.action} {row.detail}" for row in db.scalars(select(AuditLog)))
    assert "report.export" in audit or "export" in audit
    assert not any(secret in audit for secret in secrets)


def test_a_file_with_names_holds_no_pseudonym(client, banks, database):
    make_organiser(database, "admin", admin=True)
    headers = bearer(client, "admin")
    attempt = start(client, new_learner(client))
    client.post(f"/api/v1/attempts/{attempt['attempt_id']}/submit",
                json={"answers": answer_key(banks, attempt, right=5)})
    with database.reading() as db:
        pseudonym = db.scalar(select(Learner.pseudonym))
    for fmt in ("json", "csv", "jsonl"):
        body = client.get(f"/api/v1/reports/completions?format={fmt}", headers=headers).text
        assert "Nguyễn Văn An" in body and pseudonym not in body, fmt


@pytest.mark.parametrize("how", ["own", "purge"])
def test_after_erasure_no_export_links_to_the_learners_earlier_statements(client, banks, database, how):
    make_organiser(database, "admin", admin=True)
    headers = bearer(client, "admin")
    code = new_learner(client)
    attempt = start(client, code)
    client.post(f"/api/v1/attempts/{attempt['attempt_id']}/submit",
                json={"answers": answer_key(banks, attempt, right=5)})
    before = client.get("/api/v1/reports/xapi?format=jsonl", headers=headers).text.splitlines()
    before_attempts = client.get("/api/v1/reports/attempts?format=csv", headers=headers).text
    with database.reading() as db:
        pseudonym = db.scalar(select(Learner.pseudonym))
    if how == "own":
        assert client.delete(f"/api/v1/learners/{code}").status_code == 200
    else:
        with database.writing() as db:
            db.execute(update(Learner).values(last_seen_at=utcnow() - timedelta(days=4000)))
            privacy.purge(db=db, retention_days=30, apply=True)
    after = client.get("/api/v1/reports/xapi?format=jsonl", headers=headers).text
    after_attempts = client.get("/api/v1/reports/attempts?format=csv", headers=headers).text
    old_ids = {json.loads(line)["id"] for line in before}
    new = [json.loads(line) for line in after.splitlines()]
    assert len(new) == len(before)
    assert not old_ids & {s["id"] for s in new}
    for statement in new:
        name = statement["actor"]["account"]["name"]
        assert name != pseudonym and "erased" not in name and len(name) == 32
    assert pseudonym in before_attempts and pseudonym not in after_attempts
