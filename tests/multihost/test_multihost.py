"""Three app hosts behind nginx on one PostgreSQL database: what a learner and an organiser do
works through nginx, whichever host answers; sessions, tokens and rate limits are the same on every
host; and a host killed during a submission load loses nothing that was acknowledged.

Needs Debian's nginx (`apt-get install nginx`; .ci/run installs it), openssl and
KYNANGSO_TEST_DATABASE_URL (a PostgreSQL server on which the test may create a database).
"""

from __future__ import annotations

import re
import subprocess
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import create_engine, text

from quiz_api.banks import load_banks
from tests.conftest import answer_key
from tests.multihost.cluster import ASSET, NGINX, SECRET_KEY, Cluster
from tests.reliability.server import FIXTURE_BANKS, KYNANGSO, PG_URL, fresh_database

pytestmark = [pytest.mark.slow, pytest.mark.timeout(150)]

PASSWORD = "mật-khẩu-của-quản-trị-viên"
MODULE = "mau-thu"
BANKS = load_banks(FIXTURE_BANKS)


def deploy(database_url: str, workdir) -> None:
    """The deploy step, once for all hosts: schema, units, the first organiser."""
    env = {"KYNANGSO_DATABASE_URL": database_url, "KYNANGSO_SECRET_KEY": SECRET_KEY,
           "KYNANGSO_VAR_DIR": str(workdir / "deploy-var")}
    import os

    env = {**{k: v for k, v in os.environ.items() if not k.startswith("KYNANGSO_")}, **env}
    for args, stdin in ((["db", "upgrade"], None), (["units", "import", "--if-empty"], None),
                        (["organiser", "create", "admin", "--admin"], PASSWORD + "\n")):
        done = subprocess.run([str(KYNANGSO), *args], check=False, cwd=workdir, env=env, input=stdin,
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    if NGINX is None:
        pytest.skip("nginx is not installed (Debian: apt-get install nginx; .ci/run installs it)")
    if not PG_URL:
        pytest.skip("KYNANGSO_TEST_DATABASE_URL is not set: the hosts share a PostgreSQL database")
    workdir = tmp_path_factory.mktemp("multihost")
    with fresh_database("postgresql", workdir) as url:
        deploy(url, workdir)
        with Cluster(url, workdir) as running:
            yield running


@pytest.fixture(autouse=True)
def no_earlier_tries(cluster):
    """Every test starts with no login or guessing tries counted (they are all from 127.0.0.1)."""
    engine = create_engine(cluster.database_url)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM rate_limit"))
    engine.dispose()


def register(client: httpx.Client, name: str = "Lê Thị Hồng") -> str:
    response = client.post("/api/v1/learners", json={"full_name": name, "group": "public_servant",
                                                      "unit_code": "TN-P-long-an", "consent": True})
    assert response.status_code == 201, response.text
    return response.json()["learner_code"]


def start(client: httpx.Client, code: str) -> dict:
    response = client.post("/api/v1/attempts", json={"learner_code": code, "module_id": MODULE})
    assert response.status_code == 201, response.text
    return response.json()


def upstreams(cluster: Cluster) -> Counter:
    """How many requests nginx's access log says each app host answered."""
    ports = Counter()
    for line in cluster.nginx.access_log.read_text().splitlines():
        for port in re.findall(r"127\.0\.0\.1:(\d+)", line.split('"')[-1]):
            ports[int(port)] += 1
    return ports


def logged(path, text: str, timeout: float = 5.0) -> bool:
    """Whether the log gets the text: nginx writes a request's line after its answer has gone."""
    deadline = time.monotonic() + timeout
    while text not in path.read_text():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_a_learner_and_an_organiser_go_through_nginx_whichever_host_answers(cluster):
    with cluster.client() as client:
        code = register(client)
        attempt = start(client, code)
        answers = answer_key(BANKS, attempt, right=len(attempt["questions"]))
        result = client.post(f"/api/v1/attempts/{attempt['attempt_id']}/submit", json={"answers": answers})
        assert result.status_code == 200 and result.json()["passed"], result.text
        certificate = result.json()["certificate_code"]
        assert client.get(f"/api/v1/certificates/{certificate}").json()["status"] == "valid"
        assert client.get(f"/certificates/{certificate}").status_code == 200
        data = client.get(f"/api/v1/learners/{code}/data")
        assert data.status_code == 200 and len(data.json()["attempts"]) == 1
        token = client.post("/api/v1/auth/token", data={"username": "admin", "password": PASSWORD})
        assert token.status_code == 200, token.text
        bearer = {"Authorization": f"Bearer {token.json()['access_token']}"}
        summary = client.get("/api/v1/reports/summary", headers=bearer)
        assert summary.status_code == 200 and summary.json()
        page = client.get("/organiser/login")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        login = client.post("/organiser/login", data={"csrf_token": csrf, "username": "admin", "password": PASSWORD},
                            follow_redirects=False)
        assert login.status_code == 303 and "secure" in login.headers["set-cookie"].lower()
        assert client.get("/organiser", follow_redirects=False).status_code == 200  # the cookie, over HTTPS
        # nginx's request id reaches the app and comes back; the access log names it
        answer = client.get("/api/v1/health")
        rid = answer.headers["x-request-id"]
        assert re.fullmatch(r"[0-9a-f]{32}", rid) and logged(cluster.nginx.access_log, f"rid={rid}")
        # gzip, the long cache of hashed assets, /metrics kept for the monitoring host
        asset = client.get(ASSET, headers={"Accept-Encoding": "gzip"})
        assert asset.status_code == 200 and asset.headers["content-encoding"] == "gzip"
        assert "immutable" in asset.headers["cache-control"] and "max-age=31536000" in asset.headers["cache-control"]
        assert client.get("/metrics").status_code == 404
    assert httpx.get(f"{cluster.hosts[0].url}/metrics").status_code == 200  # the scraper, on the host itself
    plain = httpx.get(f"http://127.0.0.1:{cluster.nginx.http_port}/verify", follow_redirects=False)
    assert plain.status_code == 301 and plain.headers["location"] == f"https://127.0.0.1:{cluster.nginx.https_port}/verify"
    served = upstreams(cluster)
    assert {h.port for h in cluster.hosts} <= set(served), f"every host answers some requests: {served}"
    logs = "\n".join(h.log.read_text() for h in cluster.hosts) + cluster.nginx.access_log.read_text()
    for secret in (code, attempt["attempt_id"], certificate, "Lê Thị Hồng"):
        assert secret not in logs
    assert rid in logs  # the app's access line carries nginx's id


def test_a_session_cookie_and_a_bearer_token_from_one_host_work_on_the_others(cluster):
    first, *others = cluster.hosts
    token = httpx.post(f"{first.url}/api/v1/auth/token", data={"username": "admin", "password": PASSWORD})
    assert token.status_code == 200
    bearer = {"Authorization": f"Bearer {token.json()['access_token']}"}
    for host in others:
        me = httpx.get(f"{host.url}/api/v1/auth/me", headers=bearer)
        assert me.status_code == 200 and me.json()["username"] == "admin"
        forged = httpx.get(f"{host.url}/api/v1/auth/me", headers={"Authorization": "Bearer x.y"})
        assert forged.status_code == 401
    with httpx.Client(base_url=first.url) as on_first:
        page = on_first.get("/organiser/login")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        # behind HTTPS (KYNANGSO_COOKIE_SECURE) the cookies carry the __Host- prefix
        csrf_cookie = next(name for name in page.cookies if name.endswith("kns_csrf"))
        login = on_first.post("/organiser/login", headers={"Cookie": f"{csrf_cookie}={page.cookies[csrf_cookie]}"},
                              data={"csrf_token": csrf, "username": "admin", "password": PASSWORD},
                              follow_redirects=False)
    assert login.status_code == 303
    cookie_name, session = re.search(r"((?:__Host-)?kns_organiser)=([^;]+)", login.headers["set-cookie"]).groups()
    for host in others:
        dashboard = httpx.get(f"{host.url}/organiser", headers={"Cookie": f"{cookie_name}={session}"},
                              follow_redirects=False)
        assert dashboard.status_code == 200, dashboard.headers.get("location")


def test_login_and_code_guessing_limits_hold_in_total_not_per_host(cluster):
    hosts = cluster.hosts
    tries = 5  # KYNANGSO_LOGIN_ATTEMPTS_PER_MINUTE's default
    for i in range(tries):
        wrong = httpx.post(f"{hosts[i % 3].url}/api/v1/auth/token", data={"username": "admin", "password": "wrong"})
        assert wrong.status_code == 401
    for host in hosts:  # each host saw one or two tries, and refuses all the same
        refused = httpx.post(f"{host.url}/api/v1/auth/token", data={"username": "admin", "password": PASSWORD})
        assert refused.status_code == 429
    with cluster.client() as client:
        code = register(client)
        for i in range(10):  # KYNANGSO_CODE_LOOKUPS_PER_MINUTE's default, spread over the hosts by nginx
            assert client.get(f"/api/v1/learners/ZZZZ-ZZZZ-ZZZ{i % 10}-Z/data").status_code == 404
        for _ in range(3):
            assert client.get(f"/api/v1/learners/{code}/data").status_code == 429
        # a client cannot pick the address the limit counts: nginx replaces X-Forwarded-For
        spoofed = client.get(f"/api/v1/learners/{code}/data", headers={"X-Forwarded-For": "203.0.113.7"})
        assert spoofed.status_code == 429
    for host in hosts:
        assert httpx.get(f"{host.url}/api/v1/learners/{code}/data").status_code == 429


def test_killing_a_host_during_submissions_loses_nothing_acknowledged_and_nginx_uses_the_survivors(cluster):
    count, threads = 150, 8
    with cluster.client() as client, ThreadPoolExecutor(threads) as pool:
        codes = list(pool.map(lambda i: register(client, f"Người thử {i}"), range(count)))
        attempts = list(pool.map(lambda c: start(client, c), codes))
    work = {a["attempt_id"]: answer_key(BANKS, a, right=i % (len(a["questions"]) + 1))
            for i, a in enumerate(attempts)}
    acked: dict[str, dict] = {}
    retried: Counter = Counter()
    lock = threading.Lock()
    todo = iter(list(work.items()))
    victim = cluster.hosts[1]

    def submit() -> None:
        with cluster.client() as client:
            while True:
                with lock:
                    item = next(todo, None)
                if item is None:
                    return
                attempt_id, answers = item
                for _ in range(4):  # a client sends a submission again when it got no answer
                    try:
                        response = client.post(f"/api/v1/attempts/{attempt_id}/submit", json={"answers": answers})
                    except httpx.HTTPError as exc:
                        with lock:
                            retried[type(exc).__name__] += 1
                        continue
                    if response.status_code == 200:
                        with lock:
                            acked[attempt_id] = response.json()
                        break
                    with lock:
                        retried[response.status_code] += 1
                    time.sleep(0.2)
                time.sleep(0.01)

    began = time.monotonic()
    workers = [threading.Thread(target=submit) for _ in range(threads)]
    for t in workers:
        t.start()
    while len(acked) < count // 3 and time.monotonic() - began < 30:
        time.sleep(0.005)
    victim.kill()
    killed_at = len(acked)
    for t in workers:
        t.join(timeout=60)
    assert len(acked) == count, f"{count - len(acked)} submissions never acknowledged; retries: {retried}"
    with cluster.client() as client:  # after the kill every request is answered by a survivor
        assert all(client.get("/api/v1/health").status_code == 200 for _ in range(12))

    engine = create_engine(cluster.database_url)
    with engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT a.id, a.score, a.submitted_at IS NOT NULL, a.question_count,"
            " (SELECT count(*) FROM attempt_answer aa WHERE aa.attempt_id = a.id),"
            " (SELECT count(*) FROM certificate c WHERE c.learner_id = a.learner_id)"
            " FROM attempt a WHERE a.id = ANY(:ids)"), {"ids": list(work)}).all()
    engine.dispose()
    assert len(rows) == count
    for attempt_id, score, submitted, questions, answers, certificates in rows:
        assert submitted and answers == questions and certificates <= 1, attempt_id  # once, whole
        assert score == pytest.approx(acked[attempt_id]["score"])
    passed_on = [line for line in cluster.nginx.error_log.read_text().splitlines()
                 if f"127.0.0.1:{victim.port}" in line and "upstream" in line]
    print(f"\n{count} submissions, host2 killed after {killed_at} acknowledgements; "
          f"client retries: {dict(retried) or 'none'}; nginx passed {len(passed_on)} request(s) on from host2; "
          f"upstream answers: {dict(upstreams(cluster))}")
