"""Several hosts on one machine: Debian's nginx, rendered from deploy/nginx/kynangso.conf.template,
in front of `kynangso serve --no-upgrade` processes that share one PostgreSQL database and one
secret key, and nothing else (each has a var/ directory of its own, as separate hosts would).

nginx runs unprivileged-style from a prefix of its own (-p), with its pid, temporary files, error
log and access log in the test's directory; TLS with a self-signed certificate made by openssl.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path

import httpx

from tests.reliability.server import FIXTURE_BANKS, KYNANGSO, ROOT, free_port

sys.path.insert(0, str(ROOT / "deploy" / "nginx"))
from render import render

SECRET_KEY = "multihost-test-secret-key-shared-by-every-host"
ASSET = "/assets/stylesheets/main.0123abcd.min.css"  # named like mkdocs-material's hashed assets
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


def _wait(url: str, process: subprocess.Popen, log: Path, timeout: float = 60.0, **kwargs) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{process.args[0]} exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(url, timeout=2, **kwargs).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise AssertionError(f"{url} did not answer within {timeout} s:\n{log.read_text()[-3000:]}")


class Host:
    """One app host: `kynangso serve --no-upgrade` on a port and a var/ directory of its own."""

    def __init__(self, name: str, database_url: str, workdir: Path) -> None:
        self.name = name
        self.database_url = database_url
        self.workdir = workdir / name
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.log = self.workdir / "server.log"
        self.process: subprocess.Popen | None = None
        self.site = self.workdir / "site"  # a stand-in for the built lessons: a page and a hashed asset
        (self.site / "assets" / "stylesheets").mkdir(parents=True, exist_ok=True)
        (self.site / "index.html").write_text("<!doctype html><title>Kỹ năng số</title>", encoding="utf-8")
        (self.site / ASSET.lstrip("/")).write_text(".md-typeset{color:#222}\n" * 200, encoding="utf-8")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("KYNANGSO_", "PROMETHEUS_"))}
        env.update(KYNANGSO_DATABASE_URL=self.database_url, KYNANGSO_BANKS_DIR=str(FIXTURE_BANKS),
                   KYNANGSO_SITE_DIR=str(self.site), KYNANGSO_VAR_DIR=str(self.workdir / "var"),
                   KYNANGSO_SECRET_KEY=SECRET_KEY, KYNANGSO_TRUSTED_PROXIES="127.0.0.1",
                   KYNANGSO_COOKIE_SECURE="true", KYNANGSO_DB_POOL_SIZE="3")
        return env

    def start(self) -> None:
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [str(KYNANGSO), "serve", "--port", str(self.port), "--no-upgrade"], cwd=self.workdir,
                env=self.env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def wait(self) -> None:
        _wait(f"{self.url}/api/v1/health", self.process, self.log)

    def kill(self) -> None:
        """SIGKILL, as a host losing power would: its own process group, nothing else."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


class Nginx:
    """Debian's nginx from a prefix of its own, with the site file rendered from deploy/'s template."""

    def __init__(self, workdir: Path, apps: list[str]) -> None:
        self.dir = workdir / "nginx"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.http_port, self.https_port = free_port(), free_port()
        self.error_log = self.dir / "error.log"
        self.access_log = self.dir / "access.log"
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                        "-subj", "/CN=localhost", "-keyout", str(self.dir / "key.pem"),
                        "-out", str(self.dir / "cert.pem")], check=True, capture_output=True)
        site = render(apps=apps, server_name="localhost", http_listen=f"127.0.0.1:{self.http_port}",
                      https_listen=f"127.0.0.1:{self.https_port}", certificate=str(self.dir / "cert.pem"),
                      certificate_key=str(self.dir / "key.pem"), access_log=str(self.access_log),
                      fail_timeout="30s")
        (self.dir / "kynangso.conf").write_text(site, encoding="utf-8")
        temp = "\n".join(f"    {kind}_temp_path {self.dir / kind};"
                         for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        user = "user root;\n" if os.geteuid() == 0 else ""  # workers may then read this test's directories
        (self.dir / "nginx.conf").write_text(
            f"{user}daemon off;\nworker_processes 1;\npid {self.dir / 'nginx.pid'};\n"
            f"error_log {self.error_log} info;\n"
            "events { worker_connections 512; }\n"
            "http {\n    include /etc/nginx/mime.types;\n    default_type application/octet-stream;\n"
            f"{temp}\n    include {self.dir / 'kynangso.conf'};\n}}\n", encoding="utf-8")
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"

    def start(self) -> None:
        command = [NGINX, "-p", str(self.dir), "-c", str(self.dir / "nginx.conf"), "-e", str(self.error_log)]
        checked = subprocess.run([*command, "-t"], check=False, capture_output=True, text=True)
        assert checked.returncode == 0, checked.stderr
        with open(self.dir / "stderr.log", "ab") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        _wait(f"{self.url}/api/v1/health/live", self.process, self.error_log, verify=False)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGQUIT)  # graceful: finish the requests in flight
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


class Cluster:
    def __init__(self, database_url: str, workdir: Path, hosts: int = 3) -> None:
        self.database_url = database_url
        self.hosts = [Host(f"host{i + 1}", database_url, workdir) for i in range(hosts)]
        self.nginx = Nginx(workdir, [f"127.0.0.1:{h.port}" for h in self.hosts])
        self._stack = ExitStack()

    def __enter__(self) -> Cluster:  # noqa: PYI034
        try:
            for host in self.hosts:  # all start at once, as hosts would
                host.start()
                self._stack.callback(host.stop)
            for host in self.hosts:
                host.wait()
            self.nginx.start()
            self._stack.callback(self.nginx.stop)
        except BaseException:
            self._stack.close()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self._stack.close()

    def client(self, **kwargs) -> httpx.Client:
        """A client of the site, through nginx over HTTPS (the certificate is this test's own)."""
        return httpx.Client(base_url=self.nginx.url, verify=False, timeout=30, **kwargs)
