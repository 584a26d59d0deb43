"""Whatever a person or a script sends to the certificate and my-data endpoints, the answer is never a 5xx."""

from __future__ import annotations

from urllib.parse import quote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import new_learner

TEXT = st.one_of(st.text(max_size=80), st.sampled_from(["\x00", "../../etc", "' OR 1=1 --", "ĐĐĐĐ-ĐĐĐĐ-Đ", "%00"]))
VALUE = st.one_of(st.none(), st.booleans(), st.integers(), TEXT, st.lists(TEXT, max_size=2))
BODY = st.dictionaries(st.sampled_from(["full_name", "unit_code", "organisation", "email", "phone", "lang", "x"]),
                       VALUE, max_size=4)
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(code=TEXT, body=BODY)
def test_learner_endpoints_answer_4xx_or_success(client, app, code, body):
    app.state.code_limiter.reset()
    path = quote(code, safe="") or "x"
    for response in (client.get(f"/api/v1/learners/{path}/data"),
                     client.patch(f"/api/v1/learners/{path}", json=body),
                     client.delete(f"/api/v1/learners/{path}")):
        assert response.status_code < 500, (code, body, response.text)


@FUZZ
@given(body=BODY)
def test_corrections_with_a_real_code_answer_4xx_or_success(client, app, body):
    app.state.code_limiter.reset()
    code = new_learner(client)
    response = client.patch(f"/api/v1/learners/{code}", json=body)
    assert response.status_code < 500, (body, response.text)


@FUZZ
@given(code=TEXT, lang=TEXT)
def test_certificate_pages_answer_4xx_or_success(client, app, code, lang):
    app.state.code_limiter.reset()
    path = quote(code, safe="") or "x"
    query = f"?lang={quote(lang, safe='')}"
    for url in (f"/api/v1/certificates/{path}{query}", f"/certificates/{path}{query}", f"/verify/{path}{query}",
                f"/verify?code={path}", f"/certificates/{path}/badge.json"):
        response = client.get(url)
        assert response.status_code < 500, (url, response.text[:200])
