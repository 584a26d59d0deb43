"""Every page and API call a learner or organiser uses, timed over a database with history, with
each SQL statement's plan checked for scans of the big tables (SQLite, no ANALYZE, as served).

    .venv/bin/python bench/query_sweep.py --attempts 200000

Builds the database with bench/export_data.py, drives the app in-process (FastAPI's TestClient),
records every statement the driver ran (sqlite3's trace callback, so driver-level `db.Raw`
statements too), and prints each request's time with the `EXPLAIN QUERY PLAN` lines that scan
attempt, attempt_answer, learner or certificate. A learner's request should show none.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sqlite3
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import export_data, harness  # after the path set-up

SCAN = re.compile(r"\bSCAN (attempt|attempt_answer|learner|certificate)\b")


def sweep(path: Path) -> list[tuple[float, str, str, int, list[str]]]:
    """(milliseconds, method, path, status, statements) per request."""
    from sqlalchemy import event
    from starlette.testclient import TestClient

    from quiz_api.main import create_app
    from tests.organisers.helpers import bearer, make_organiser, web_login

    os.environ["KYNANGSO_DATABASE_URL"] = f"sqlite:///{path}"
    app = create_app()
    statements: list[str] = []
    engine = app.state.database.engine
    event.listen(engine, "connect", lambda dbapi, _rec: dbapi.set_trace_callback(statements.append))
    engine.dispose()
    timings = []

    def call(client, method: str, url: str, **kw):
        t0, n0 = time.perf_counter(), len(statements)
        response = getattr(client, method)(url, **kw)
        timings.append(((time.perf_counter() - t0) * 1000, method.upper(), url.split("?")[0], response.status_code,
                        statements[n0:]))
        return response

    key: dict[str, list[str]] = {}
    for module in harness.load_answer_key(ROOT / "quiz_api/banks").values():
        key.update(module)
    with TestClient(app) as c:
        unit = sqlite3.connect(path).execute("SELECT unit_code FROM learner WHERE id = 1").fetchone()[0]
        make_organiser(app.state.database, "sweep-admin", admin=True)
        make_organiser(app.state.database, "sweep-unit", units=(unit,))
        codes = [call(c, "post", "/api/v1/learners", json={"full_name": f"Nguyễn Văn {i}", "group": "citizen",
                                                          "unit_code": unit, "consent": True}).json()["learner_code"]
                 for i in range(2)]
        attempt = call(c, "post", "/api/v1/attempts", json={"learner_code": codes[0], "module_id": "du-lieu-ca-nhan"}).json()
        result = call(c, "post", f"/api/v1/attempts/{attempt['attempt_id']}/submit",
                      json={"answers": harness.answers_for(attempt, key, True, random.Random(1))}).json()
        cert = result["certificate_code"]
        for url in (f"/quiz/attempt/{attempt['attempt_id']}/result", f"/api/v1/certificates/{cert}",
                    f"/verify/{cert}", f"/certificates/{cert}", f"/api/v1/learners/{codes[0]}/data"):
            call(c, "get", url)
        c.cookies.set("kns_learner", codes[0])
        call(c, "get", "/learner")
        call(c, "get", "/quiz/du-lieu-ca-nhan")
        call(c, "delete", f"/api/v1/learners/{codes[1]}")
        c.cookies.clear()
        for who in ("sweep-unit", "sweep-admin"):
            headers = bearer(c, who)
            for url in ("/api/v1/reports/summary", "/api/v1/reports/completions?format=json",
                        "/api/v1/reports/questions"):
                call(c, "get", url, headers=headers)
            web_login(c, who)
            call(c, "get", "/organiser")
            c.cookies.clear()
    return timings


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--attempts", type=int, default=200_000)
    a = p.parse_args()
    warnings.simplefilter("ignore")
    with tempfile.TemporaryDirectory(prefix="kns-sweep-") as tmp:
        path = Path(tmp) / "kynangso.db"
        export_data.build(path, a.attempts, analyze=False)
        timings = sweep(path)
        plan = sqlite3.connect(path)
        for ms, method, url, status, statements in timings:
            scans = []
            for sql in statements:
                if re.match(r"\s*(SELECT|UPDATE|DELETE|WITH)\b", sql, re.IGNORECASE):
                    scans += [f"      {row[-1]} <- {' '.join(sql.split())[:150]}"
                              for row in plan.execute("EXPLAIN QUERY PLAN " + sql) if SCAN.search(row[-1])]
            print(f"{ms:8.1f} ms  {status}  {method} {url}")
            print("\n".join(dict.fromkeys(scans)) or "", end="\n" if scans else "")
    return 0


if __name__ == "__main__":
    sys.exit(main())
