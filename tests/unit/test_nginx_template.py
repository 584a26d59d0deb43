"""deploy/nginx's template renders to a configuration nginx accepts, with the promises its comments make."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "deploy" / "nginx"))
from render import render


def _site(tmp_path: Path) -> str:
    return render(apps=["10.0.0.11:8000", "10.0.0.12:8000", "10.0.0.13:8000"], server_name="hoc.example.gov.vn",
                  certificate=str(tmp_path / "cert.pem"), certificate_key=str(tmp_path / "key.pem"),
                  access_log=str(tmp_path / "access.log"))


def test_every_app_server_is_an_upstream_and_nothing_is_left_unfilled(tmp_path):
    site = _site(tmp_path)
    assert len(re.findall(r"server 10\.0\.0\.1[123]:8000 max_fails=1", site)) == 3
    assert "{{" not in site and "return 301 https://$host$request_uri" in site


def test_only_the_idempotent_submission_may_be_passed_on_after_reaching_a_server(tmp_path):
    site = _site(tmp_path)
    assert site.count("non_idempotent") == 1
    submit = site[site.index("location ~ ^/api/v1/attempts/[^/]+/submit$"):]
    assert "non_idempotent" in submit[: submit.index("}")]


def test_clients_cannot_choose_the_address_the_limits_count(tmp_path):
    site = _site(tmp_path)
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in site
    assert not re.search(r"^\s*proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for", site, re.MULTILINE)


@pytest.mark.skipif(not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()) or not shutil.which("openssl"),
                    reason="nginx or openssl is not installed (Debian: apt-get install nginx openssl)")
def test_nginx_accepts_the_rendered_configuration(tmp_path):
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=t",
                    "-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem")],
                   check=True, capture_output=True)
    (tmp_path / "site.conf").write_text(_site(tmp_path))
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n  include /etc/nginx/mime.types;\n  proxy_temp_path {tmp_path}/proxy;\n"
        f"  client_body_temp_path {tmp_path}/body;\n  include {tmp_path}/site.conf;\n}}\n")
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    checked = subprocess.run([nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"),
                              "-e", str(tmp_path / "error.log")], check=False, capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
