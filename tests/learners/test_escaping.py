"""Every page that shows a learner's name escapes it (Jinja autoescape, never |safe on user data)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.certificates.helpers import MODULE, certified_learner

EVIL = "<script>alert(1)</script> Nguyễn <img src=x onerror=alert(2)>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def test_a_name_with_markup_is_escaped_on_every_page_that_shows_it(client, banks, app):
    learner_code, certificate = certified_learner(client, banks, full_name=EVIL, organisation="<b>HTX</b>")
    client.cookies.set("kns_learner", learner_code)
    form = client.get("/learner").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    assert client.post("/learner", data={"csrf_token": token, "code": learner_code}).status_code == 200
    stranger = TestClient(app)
    pages = {
        "quiz start (holder)": client.get(f"/quiz/{MODULE}"),
        "my data": client.get("/learner"),
        "my data (en)": client.get("/learner?lang=en"),
        "certificate (holder)": client.get(f"/certificates/{certificate}"),
        "certificate (anyone)": stranger.get(f"/certificates/{certificate}"),
        "verification (anyone)": stranger.get(f"/verify/{certificate}"),
    }
    for name, page in pages.items():
        assert page.status_code == 200, name
        assert "<script>alert(1)</script>" not in page.text, name
        assert "<img src=x" not in page.text and "<b>HTX</b>" not in page.text, name
        assert ESCAPED in page.text, name
