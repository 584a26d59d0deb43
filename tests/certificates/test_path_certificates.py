"""Passing every module of one's group's learning path issues a path certificate, once."""

from __future__ import annotations

from sqlalchemy import select

from quiz_api.certificates import service as certificates
from quiz_api.certificates.models import Certificate
from quiz_api.db import utcnow
from quiz_api.learners.models import Learner
from tests.certificates.helpers import MODULE, pass_module
from tests.conftest import new_learner


def certificates_of(database) -> list[tuple[str, str]]:
    with database.reading() as db:
        return sorted((c.kind, c.subject) for c in db.scalars(select(Certificate)))


def test_the_last_module_of_the_path_issues_the_path_certificate(client, banks, database, monkeypatch):
    monkeypatch.setattr(certificates, "learning_paths", lambda: {"citizen": [MODULE, "mo-dun-hai"]})
    code = new_learner(client, group="citizen")
    pass_module(client, banks, code)
    assert certificates_of(database) == [("module", MODULE)]  # one module of two: no path yet

    with database.reading() as db:
        learner_id = db.scalar(select(Learner.id))
    with database.write_engine.begin() as conn:  # the second module, passed the way submit() records it
        certificates.issue_for_pass(conn=conn, learner_id=learner_id, module_id="mo-dun-hai", attempt_id=None,
                                    score=1.0, now=utcnow())
    assert certificates_of(database) == [("module", MODULE), ("module", "mo-dun-hai"), ("path", "citizen")]

    with database.reading() as db:
        path_code = db.scalar(select(Certificate.code).where(Certificate.kind == "path"))
    body = client.get(f"/api/v1/certificates/{path_code}").json()
    assert body["valid"] is True and body["kind"] == "path" and body["path"] == "citizen"
    assert body["module_id"] is None and body["title"] == "Hoàn thành lộ trình học: Người dân"
    html = client.get(f"/certificates/{path_code}?lang=en").text
    assert "has passed every module of the learning path" in html and "Learning path completed: Citizens" in html
    assert "/en/lo-trinh/nguoi-dan/" in client.get(f"/verify/{path_code}?lang=en").text


def test_a_one_module_path_is_completed_by_passing_it_and_passing_again_adds_nothing(
        client, banks, database, monkeypatch):
    monkeypatch.setattr(certificates, "learning_paths", lambda: {"citizen": [MODULE]})
    code = new_learner(client, group="citizen")
    first = pass_module(client, banks, code)
    assert certificates_of(database) == [("module", MODULE), ("path", "citizen")]
    with database.reading() as db:
        module_code = db.scalar(select(Certificate.code).where(Certificate.kind == "module"))
    assert first["certificate_code"] == module_code  # the submission answers with the module's certificate
    second = pass_module(client, banks, code)
    assert second["certificate_code"] == module_code and len(certificates_of(database)) == 2


def test_a_module_outside_ones_own_path_issues_no_path_certificate(client, banks, database, monkeypatch):
    monkeypatch.setattr(certificates, "learning_paths", lambda: {"citizen": [MODULE], "business": ["khac"]})
    pass_module(client, banks, new_learner(client, group="business"))
    assert certificates_of(database) == [("module", MODULE)]


def test_the_learning_paths_name_every_group():
    from quiz_api.labels import GROUPS

    assert set(certificates.learning_paths()) == set(GROUPS) == set(certificates.PATH_PAGES)


def test_a_random_code_that_collides_with_another_certificate_is_drawn_again(client, banks, database, monkeypatch):
    first = pass_module(client, banks, new_learner(client))["certificate_code"]
    learner_code = new_learner(client, full_name="Người Thứ Hai")
    draws = iter([first, "ZZZZ-ZZZZ-" + certificates.codes.check_char("ZZZZZZZZ")])
    monkeypatch.setattr(certificates.codes, "new_code", lambda length: next(draws))
    second = pass_module(client, banks, learner_code)["certificate_code"]
    assert second == "ZZZZ-ZZZZ-" + certificates.codes.check_char("ZZZZZZZZ") and second != first
    assert client.get(f"/api/v1/certificates/{second}").json()["holder"] == "Người T. H."
