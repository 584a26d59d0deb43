"""How the application serves the built site: redirects that stay on this host."""

from __future__ import annotations

import anyio
import pytest


def raw_get(app, path: str, host: str = "evil.example") -> tuple[int, dict[str, str]]:
    """GET with the path exactly as given (an HTTP client would normalise "//en" to "/en")."""
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
             "path": path, "raw_path": path.encode(), "root_path": "", "query_string": b"",
             "headers": [(b"host", host.encode())], "server": ("testserver", 80), "client": ("127.0.0.1", 1)}
    sent: list[dict] = []
    asked, done = False, None

    async def receive():
        nonlocal asked
        if not asked:
            asked = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await done.wait()  # the client stays until the whole answer is sent
        return {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)
        if message["type"] == "http.response.body" and not message.get("more_body"):
            done.set()

    async def run():
        nonlocal done
        done = anyio.Event()
        await app(scope, receive, send)

    anyio.run(run)
    start = sent[0]
    return start["status"], {k.decode(): v.decode() for k, v in start["headers"]}


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8443", "127.0.0.1:9999"])
def test_a_directory_redirect_never_names_the_host_the_client_sent(site_client, host):
    response = site_client.get("/du-lieu-ca-nhan", headers={"host": host}, follow_redirects=False)
    assert response.status_code in (301, 302, 307, 308)
    assert response.headers["location"] == "/du-lieu-ca-nhan/"


def test_a_directory_redirect_keeps_the_query_and_the_language_folder(site_client):
    response = site_client.get("/en/du-lieu-ca-nhan?h=test", headers={"host": "evil.example"},
                               follow_redirects=False)
    assert response.headers["location"] == "/en/du-lieu-ca-nhan/?h=test"
    assert site_client.get(response.headers["location"]).status_code == 200


@pytest.mark.parametrize("path", ["//en", "///en", "//evil.example/../en", "/\\\\en", "/\\en"])
def test_a_directory_redirect_is_never_to_another_host(site_client, site_app, path):
    status, headers = raw_get(site_app, path)
    if status in (301, 302, 307, 308):
        location = headers["location"]
        assert location.startswith("/") and not location.startswith(("//", "/\\")), location
    assert raw_get(site_app, "//en")[0] == 307  # the case that would be a link to the host "en"
