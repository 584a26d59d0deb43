"""Browser journeys: the real server started the way an operator starts it, driven by Debian's Chromium.

Session fixtures: the site is built once (`mkdocs build --strict`), `kynangso serve` runs as a subprocess
on a fresh SQLite file with the real banks and a cooldown of a few seconds, an admin organiser is made
with `kynangso organiser create --admin` (password on stdin), and one Chromium serves every test.
Without Chromium or Playwright every test here is skipped with the reason (fails instead when
KYNANGSO_BROWSER_TESTS=1, as .ci/run sets it).

Every page opened through the `browser` fixture reports its console errors; a test during which a
page reported a Content-Security-Policy violation fails (the server sends the policy on every page).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent  # the venv's bin: mkdocs and kynangso live beside python
CHROMIUM = os.environ.get("KYNANGSO_CHROMIUM", "/usr/bin/chromium")
# The same launch arguments as test_site_search_browser.py: no sandbox (root in CI), no GPU, no network
# chatter of Chromium's own.
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = ROOT / "test-artifacts"
COOLDOWN_SECONDS = 8  # the retake waits this long after a failed attempt (production: minutes)
ORGANISER = ("qa-admin", "mat-khau-kiem-thu-2026")


def _chromium_missing() -> str | None:
    if not (shutil.which(CHROMIUM) or Path(CHROMIUM).exists()):
        return f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (pip install -e '.[test]')"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass(frozen=True)
class Server:
    url: str
    env: dict[str, str]
    home: Path  # the server's working directory (its var/, site/, database)
    log: Path

    def cli(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        """Run `kynangso ...` against the server's database, as an operator on the server would."""
        return subprocess.run([str(BIN / "kynangso"), *args], check=False, input=stdin, env=self.env,
                              cwd=self.home, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory):
    reason = _chromium_missing()
    if reason and os.environ.get("KYNANGSO_BROWSER_TESTS") == "1":  # .ci/run sets it: CI must not skip them
        pytest.fail(reason)
    if reason:
        pytest.skip(reason)
    tmp = tmp_path_factory.mktemp("journeys")
    site = tmp / "site"
    port = _free_port()
    built = subprocess.run([str(BIN / "mkdocs"), "build", "--strict", "-d", str(site)], check=False, cwd=ROOT,
                           env=dict(os.environ, NO_MKDOCS_2_WARNING="1",
                                    KYNANGSO_PUBLIC_URL=f"http://127.0.0.1:{port}/"),  # canonical, hreflang
                           capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stderr[-3000:]
    env = dict(os.environ, KYNANGSO_DATABASE_URL=f"sqlite:///{tmp / 'db.sqlite'}",
               KYNANGSO_SITE_DIR=str(site),
               KYNANGSO_VAR_DIR=str(tmp / "var"), KYNANGSO_COOLDOWN_SECONDS=str(COOLDOWN_SECONDS),
               KYNANGSO_PUBLIC_URL=f"http://127.0.0.1:{port}")
    env.pop("KYNANGSO_COOLDOWN_MINUTES", None)
    log = tmp / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([str(BIN / "kynangso"), "serve", "--port", str(port), "--no-access-log"],
                                cwd=tmp, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                pytest.fail(f"the server exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(url + "/api/v1/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the server did not answer within 60 s:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        srv = Server(url=url, env=env, home=tmp, log=log)
        made = srv.cli("organiser", "create", ORGANISER[0], "--admin", stdin=ORGANISER[1] + "\n")
        assert made.returncode == 0, made.stdout + made.stderr
        yield srv
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class ConsoleLog:
    """Console errors of every watched page, as "url: text"."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def watch(self, page) -> None:
        page.on("console", lambda message: message.type == "error" and self.errors.append(
            f"{page.url}: {message.text}"))

    def csp_violations(self) -> list[str]:
        # Chromium: "Refused to load ... because it violates the following Content Security Policy
        # directive" / "Executing inline script violates the following Content Security Policy directive"
        return [e for e in self.errors if "Content Security Policy" in e]


class WatchedBrowser:
    """The Browser, every page of which (through new_context or new_page) reports to a ConsoleLog."""

    def __init__(self, browser, log: ConsoleLog) -> None:
        self._browser = browser
        self._log = log

    def __getattr__(self, name: str):
        return getattr(self._browser, name)

    def new_context(self, **kwargs):
        context = self._browser.new_context(**kwargs)
        context.on("page", self._log.watch)
        return context

    def new_page(self, **kwargs):
        page = self._browser.new_page(**kwargs)
        self._log.watch(page)
        return page


@pytest.fixture(scope="session")
def console_log() -> ConsoleLog:
    return ConsoleLog()


@pytest.fixture(autouse=True)
def _no_csp_violations(console_log: ConsoleLog):
    """Fail the test if any page it opened broke the Content-Security-Policy."""
    console_log.errors.clear()
    yield
    violations = console_log.csp_violations()
    assert not violations, "Content-Security-Policy violations:\n" + "\n".join(violations)


@pytest.fixture(scope="module")
def browser(server, console_log: ConsoleLog):
    """Per module: one sync Playwright may run at a time, and test_site_search_browser.py starts its own."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield WatchedBrowser(b, console_log)
        b.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def answer_key():
    """The banks as the server loads them: the test knows the right answers (the browser never does)."""
    from quiz_api.banks import load_banks

    return load_banks(ROOT / "quiz_api" / "banks")
