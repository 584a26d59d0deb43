"""The HTML pages, fuzzed: every form route and every page's query string, none of which is in the
OpenAPI document (so test_openapi_fuzz.py never reaches them).

The routes are enumerated from the application itself, so a new page is fuzzed without editing
this file. Each generated request mixes what a browser sends (the real CSRF token, a real learner,
a logged-in admin, known field names with real values) with what it never would: arbitrary field
names and bytes, urlencoded and multipart bodies with odd charsets, empty and over-size values,
lone surrogates encoded as UTF-8, NUL, non-ASCII cookies and headers. Every answer must be a non-5xx.
The number of examples per route is fixed so the whole file takes about 30-60 s.
"""

from __future__ import annotations

import os
import re
import tempfile
from urllib.parse import quote_from_bytes

import pytest
from argon2 import PasswordHasher
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quiz_api import cookies as names
from quiz_api.organisers import security
from quiz_api.organisers import service as organisers
from quiz_api.organisers.deps import WEB_PURPOSE
from tests.conftest import answer_key, new_learner
from tests.page_routes import html_routes

pytestmark = pytest.mark.slow
EXAMPLES = int(os.environ.get("KYNANGSO_FORM_FUZZ_EXAMPLES", "60"))
DERANDOMIZE = "KYNANGSO_FORM_FUZZ_EXAMPLES" not in os.environ
ADMIN, OTHER, PASSWORD = "fuzz-web-admin", "fuzz-web-other", "mật-khẩu-fuzz-đủ-dài"


# --- generated pieces ----------------------------------------------------------------------------

ODD_TEXT = st.sampled_from(["", "\x00", "\ud800", "\udfff", "a\ud83d", "é" * 3, "\u202e", "%", "%ZZ", "+",
                            "&=&", "\r\n", '"', "\\", "//evil.example", "/\\evil", "x" * 5000,
                            "yes", "vi", "en", "create", "disable", "enable", "password", "admin", "unit"])
TEXT = st.one_of(ODD_TEXT, st.text(max_size=40),
                 st.text(st.characters(codec=None, categories=("Cs", "Cc", "Lo", "Ll")), max_size=10))
RAW = st.one_of(st.binary(max_size=200), st.just(b"\xff\xfe"), st.just(b"\xed\xa0\x80"),
                st.just(b"a" * 70_000))
FIELD_NAMES = ["csrf_token", "lang", "next", "code", "full_name", "group", "unit_code", "organisation", "email",
               "phone", "consent", "confirm", "username", "password", "action", "role", "file"]
CHARSETS = st.sampled_from(["", "; charset=utf-8", "; charset=latin-1", "; charset=utf-16", "; charset=x-nope",
                            "; charset=\"", ";;;"])


def encode(value: str | bytes) -> bytes:
    """UTF-8 as a browser would send it, lone surrogates included (as the three bytes they'd make)."""
    return value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")


@st.composite
def fields(draw, real: dict) -> list[tuple[str, str | bytes]]:
    names = st.one_of(st.sampled_from(FIELD_NAMES), st.sampled_from(real["answer_fields"]), TEXT)
    values = st.one_of(TEXT, RAW, st.sampled_from(real["values"]))
    out = draw(st.lists(st.tuples(names, values), max_size=8))
    if draw(st.booleans()):  # mostly past the CSRF check, so the handler behind it runs
        out.append(("csrf_token", draw(st.sampled_from([real["csrf"], real["csrf"] + "é", "é" * 43, ""]))))
    return out


def urlencoded(pairs) -> bytes:
    return b"&".join(quote_from_bytes(encode(k)).encode() + b"=" + quote_from_bytes(encode(v)).encode()
                     for k, v in pairs)


def multipart(pairs, boundary: bytes, draw) -> bytes:
    parts = []
    for name, value in pairs:
        head = b'Content-Disposition: form-data; name="' + encode(name).replace(b'"', b"%22") + b'"'
        if draw(st.booleans()):
            head += b'; filename="' + encode(draw(TEXT)).replace(b'"', b"") + b'"'
        if draw(st.booleans()):
            head += b"\r\nContent-Type: text/plain" + draw(CHARSETS).encode()
        parts.append(b"--" + boundary + b"\r\n" + head + b"\r\n\r\n" + encode(value) + b"\r\n")
    ending = draw(st.sampled_from([b"--" + boundary + b"--\r\n", b"", b"--" + boundary]))
    return b"".join(parts) + ending


@st.composite
def requests(draw, real: dict, method: str, path: str) -> dict:
    url = re.sub(r"\{(\w+)\}", lambda m: quote_from_bytes(encode(draw(st.one_of(
        st.sampled_from(real["path"].get(m.group(1), ["x"])), TEXT)))), path)
    query = draw(fields(real))
    if query:
        url += "?" + urlencoded(query).decode()[:16_000]  # a cut escape is one more odd input
    headers: dict[str, bytes] = {}
    cookies = []
    if draw(st.integers(0, 3)):
        cookies.append((names.CSRF, draw(st.sampled_from([real["csrf"], "é" * 43, "x", "\x7f" * 43]))))
    if draw(st.booleans()):
        cookies.append((names.LEARNER, draw(st.sampled_from([real["learner"], "é", "A" * 300]))))
    if draw(st.booleans()):
        cookies.append((names.ORGANISER, draw(st.sampled_from([real["session"], real["session"][:-3] + "é", "."]))))
    if cookies:
        headers["cookie"] = b"; ".join(encode(k) + b"=" + encode(v).replace(b";", b"") for k, v in cookies)
    origin = draw(st.sampled_from([None, "http://testserver", "https://evil.example", "null", "é"]))
    if origin is not None:
        headers["origin"] = encode(origin)
    if draw(st.booleans()):
        headers["referer"] = encode(draw(st.sampled_from(["http://testserver/quiz/mau-thu", "https://evil.example/",
                                                          "not a url", "http://[::1"])))
    if draw(st.booleans()):
        headers["accept-language"] = encode(draw(st.sampled_from(["en", "vi", "é;q=x", "*"])))
    body = b""
    if method == "POST":
        pairs = draw(fields(real))
        kind = draw(st.sampled_from(["urlencoded", "multipart", "raw", "none"]))
        if kind == "urlencoded":
            body = urlencoded(pairs)
            headers["content-type"] = b"application/x-www-form-urlencoded" + draw(CHARSETS).encode()
        elif kind == "multipart":
            boundary = draw(st.sampled_from([b"kns-boundary", b"a", b"\xc3\xa9"]))
            body = multipart(pairs, boundary, draw)
            headers["content-type"] = draw(st.sampled_from([
                b"multipart/form-data; boundary=" + boundary, b"multipart/form-data",
                b'multipart/form-data; boundary="' + boundary + b'"; charset=utf-16']))
        elif kind == "raw":
            body = draw(RAW)
            headers["content-type"] = encode(draw(st.sampled_from(["text/plain", "application/json", "", "é"])))
    return {"method": method, "url": url, "content": body, "headers": headers}


# --- data for the requests to find ---------------------------------------------------------------

@pytest.fixture(scope="module", autouse=True)
def _cheap_argon2():
    security.use_hasher(PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1))


@pytest.fixture
def real(client, database, banks, app) -> dict:
    with database.writing() as db:
        admin = organisers.create(db=db, username=ADMIN, password=PASSWORD, role="admin", unit_codes=[])
        organisers.create(db=db, username=OTHER, password=PASSWORD, role="unit", unit_codes=["TN-P-long-an"])
        admin_id, admin_hash = admin.id, admin.password_hash
    session, _ = security.issue(organiser_id=admin_id, password_hash=admin_hash, ttl_seconds=3600,
                                key=b"test-secret-key-not-for-production", purpose=WEB_PURPOSE)
    learner = new_learner(client)
    done = client.post("/api/v1/attempts", json={"learner_code": learner, "module_id": "mau-thu"}).json()
    passed = client.post(f"/api/v1/attempts/{done['attempt_id']}/submit",
                         json={"answers": answer_key(banks, done, right=5)}).json()
    open_attempt = client.post("/api/v1/attempts", json={"learner_code": learner, "module_id": "mau-thu"})
    open_id = open_attempt.json().get("attempt_id", done["attempt_id"]) if open_attempt.status_code == 201 \
        else done["attempt_id"]
    page = client.get("/learner/resume")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    answers = [f"q_{q['id']}" for q in done["questions"]]
    choices = [c["id"] for q in done["questions"] for c in q["choices"]]
    return {
        "csrf": csrf, "learner": learner, "session": session, "answer_fields": answers,
        "values": [learner, OTHER, "TN-P-long-an", "TN", "citizen", "yes", "/organiser", "mau-thu", *choices],
        "path": {"module_id": ["mau-thu"], "attempt_id": [open_id, done["attempt_id"]],
                 "code": [passed["certificate_code"] or "X"], "kind": ["completions", "annual", "attempts"],
                 "which": ["units", "targets"]},
    }


def test_the_form_routes_are_all_found(app):
    routes = html_routes(app)
    posts = {path for method, path in routes if method == "POST"}
    assert {"/quiz/{module_id}/learner", "/learner/resume", "/organiser/login", "/organiser/accounts",
            "/organiser/data/{which}", "/learner/erase"} <= posts
    assert len(posts) >= 10 and len(routes) >= 25


def _routes() -> list[tuple[str, str]]:
    """At collection, from an application of its own (never connected: nothing is created)."""
    from quiz_api.main import create_app
    from tests.conftest import make_settings

    with tempfile.TemporaryDirectory() as tmp:
        return html_routes(create_app(make_settings(f"sqlite:///{tmp}/routes.db")))


@pytest.mark.parametrize("method, path", _routes())
def test_no_page_answers_a_server_error(client, app, real, method, path, database_url):
    # Forms are parsed, checked and answered before any database-specific work: one database is
    # enough here (CI time), the API fuzzing (test_openapi_fuzz.py) runs on both.
    if not database_url.startswith("sqlite"):
        pytest.skip("form fuzzing runs on SQLite; the forms' handling does not depend on the database")
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=DERANDOMIZE, database=None,
              suppress_health_check=list(HealthCheck))
    @given(request=requests(real, method, path))
    def check(request):
        app.state.code_limiter.reset()
        app.state.login_limiter.reset()
        client.cookies.clear()
        response = client.request(request["method"], request["url"], content=request["content"],
                                  headers=request["headers"], follow_redirects=False)
        assert response.status_code < 500, (request, response.text[:500])

    check()
