"""What an operator sees: a request id on every answer and log line, Prometheus metrics behind an
address or token check, and logs that never carry a learner code, certificate code, attempt id or name."""

from __future__ import annotations

import json
import logging
import re

import pytest
from fastapi.testclient import TestClient

from quiz_api.logs import JsonFormatter, TextFormatter, request_id
from tests.certificates.helpers import MODULE
from tests.conftest import answer_key, new_learner

HEX32 = re.compile(r"^[0-9a-f]{32}$")


def test_every_answer_carries_a_generated_request_id(client):
    ids = {client.get(path).headers["x-request-id"] for path in ("/api/v1/health", "/api/v1/nowhere", "/verify")}
    assert len(ids) == 3 and all(HEX32.match(i) for i in ids)


def test_a_sane_request_id_from_the_proxy_is_kept_and_anything_else_replaced(client):
    nginx_id = "4f9c0a6e2b1d4e8f9a7b6c5d4e3f2a1b"
    assert client.get("/api/v1/health", headers={"X-Request-ID": nginx_id}).headers["x-request-id"] == nginx_id
    for bad in ("short", "x" * 65, "a b c d e f g h", "<script>alert(1)</script>"):
        answered = client.get("/api/v1/health", headers={"X-Request-ID": bad}).headers["x-request-id"]
        assert HEX32.match(answered)


def test_metrics_are_refused_to_other_addresses_without_the_token(client):
    assert client.get("/metrics").status_code == 403  # TestClient's address is "testclient"


def test_metrics_answer_this_host_by_default(app):
    with TestClient(app, client=("127.0.0.1", 40000)) as local:
        response = local.get("/metrics")
    assert response.status_code == 200 and "kynangso_http_requests_total" in response.text


def test_metrics_answer_a_bearer_token_when_one_is_configured(client, app, monkeypatch):
    monkeypatch.setattr(app.state.settings, "metrics_token", "scrape-token-0123456789")
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403
    assert client.get("/metrics", headers={"Authorization": "Bearer scrape-token-0123456789"}).status_code == 200


def _sample(text: str, name: str, **labels: str) -> float:
    for line in text.splitlines():
        if (line.startswith((name + "{", name + " "))) and all(f'{k}="{v}"' in line for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_metrics_count_requests_by_route_template_the_submission_fast_lane_included(client, app, banks):
    with TestClient(app, client=("127.0.0.1", 40000)) as local:
        before = local.get("/metrics").text
        code = new_learner(client)
        attempt = client.post("/api/v1/attempts", json={"learner_code": code, "module_id": MODULE}).json()
        body = {"answers": answer_key(banks, attempt, right=len(attempt["questions"]))}
        assert client.post(f"/api/v1/attempts/{attempt['attempt_id']}/submit", json=body).status_code == 200
        after = local.get("/metrics").text
    submit = {"method": "POST", "route": "/api/v1/attempts/{attempt_id}/submit", "status": "200"}
    assert _sample(after, "kynangso_http_requests_total", **submit) == _sample(before, "kynangso_http_requests_total",
                                                                               **submit) + 1
    assert _sample(after, "kynangso_http_request_duration_seconds_count", method="POST",
                   route="/api/v1/attempts/{attempt_id}/submit") >= 1
    assert attempt["attempt_id"] not in after and code not in after
    assert _sample(after, "kynangso_writer_batch_jobs_count") >= _sample(before, "kynangso_writer_batch_jobs_count") + 2
    assert "kynangso_writer_batch_seconds_bucket" in after and "kynangso_exports_in_flight" in after


def test_logs_of_a_learners_whole_journey_hold_no_code_attempt_id_or_name(client, banks, caplog):
    caplog.set_level(logging.DEBUG)
    name = "Trần Thị Bích Ngọc"
    code = new_learner(client, full_name=name)
    attempt = client.post("/api/v1/attempts", json={"learner_code": code, "module_id": MODULE}).json()
    body = {"answers": answer_key(banks, attempt, right=len(attempt["questions"]))}
    result = client.post(f"/api/v1/attempts/{attempt['attempt_id']}/submit", json=body).json()
    certificate = result["certificate_code"]
    assert client.post(f"/api/v1/attempts/{attempt['attempt_id']}/submit", json=body).status_code == 200
    for path in (f"/api/v1/learners/{code}/data", f"/api/v1/certificates/{certificate}",
                 f"/certificates/{certificate}", f"/verify/{certificate}", f"/verify?code={certificate}",
                 f"/quiz/attempt/{attempt['attempt_id']}/result", "/api/v1/learners/WRONG-CODE-0000/data"):
        client.get(path)
    access = [r for r in caplog.records if r.name == "kynangso.access"]
    assert len(access) >= 11
    routes = {r.fields["route"] for r in access}
    assert {"/api/v1/attempts/{attempt_id}/submit", "/api/v1/learners/{learner_code}/data",
            "/api/v1/certificates/{code}", "/certificates/{code}", "/verify/{code}"} <= routes
    server = [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]  # not the test's client
    text = "\n".join(TextFormatter().format(r) for r in server)
    for secret in (code, code.replace("-", ""), attempt["attempt_id"], certificate, certificate.replace("-", ""),
                   name, "Ngọc", "WRONG-CODE"):
        assert secret not in text, secret


def test_json_log_lines_have_time_level_and_the_request_id(client, caplog):
    caplog.set_level(logging.INFO, logger="kynangso.access")
    client.get("/api/v1/health", headers={"X-Request-ID": "req-0123456789abcdef"})
    record = [r for r in caplog.records if r.name == "kynangso.access"][-1]
    line = json.loads(JsonFormatter().format(record))
    assert line["level"] == "INFO" and re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", line["time"])
    assert line["request_id"] == "req-0123456789abcdef"
    assert line["route"] == "/api/v1/health" and line["status"] == 200 and line["duration_ms"] >= 0


def test_a_line_outside_any_request_still_has_time_and_level():
    record = logging.LogRecord("kynangso", logging.WARNING, "", 0, "database error: %s", ("busy",), None)
    assert request_id.get() == "-"
    assert re.match(r"^\d{4}-\d\d-\d\dT\S+Z WARNING \[-\] kynangso: database error: busy$",
                    TextFormatter().format(record))


@pytest.mark.parametrize("path", ["/api/v1/attempts/abc123/submit?x=KXMA-EFGV", "/verify/7KQ2-M9XD-P"])
def test_uvicorns_own_access_line_is_masked_if_it_is_ever_on(path):
    from quiz_api.logs import RedactLearnerCodes

    record = logging.LogRecord("uvicorn.access", logging.INFO, "", 0, '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:5000", "POST", path, "1.1", 200), None)
    RedactLearnerCodes().filter(record)
    assert "abc123" not in record.getMessage() and "KXMA" not in record.getMessage()
    assert "7KQ2" not in record.getMessage()
