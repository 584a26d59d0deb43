"""Fill deploy/nginx/kynangso.conf.template: the app servers, listen addresses, certificate, log.

    python3 deploy/nginx/render.py --app 10.0.0.11:8000 --app 10.0.0.12:8000 \\
        --server-name hoc.example.gov.vn --certificate FULLCHAIN.pem --certificate-key PRIVKEY.pem

Standard library only: it runs on the nginx host, in the compose file's config step and in
tests/multihost, which render the same template.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

TEMPLATE = Path(__file__).with_name("kynangso.conf.template")


def render(*, apps: list[str], server_name: str = "_", http_listen: str = "80", https_listen: str = "443",
           certificate: str, certificate_key: str, access_log: str = "/var/log/nginx/kynangso.access.log",
           max_fails: int = 1, fail_timeout: str = "10s") -> str:
    """The site configuration for these app servers (host:port each)."""
    if not apps:
        raise ValueError("at least one app server (--app HOST:PORT)")
    https_port = https_listen.rsplit(":", 1)[-1]
    values = {
        "upstream_servers": "\n".join(f"    server {app} max_fails={max_fails} fail_timeout={fail_timeout};"
                                      for app in apps),
        "server_name": server_name,
        "http_listen": http_listen,
        "https_listen": https_listen,
        "https_port_suffix": "" if https_port == "443" else f":{https_port}",
        "certificate": certificate,
        "certificate_key": certificate_key,
        "access_log": access_log,
    }
    text = TEMPLATE.read_text(encoding="utf-8")
    for name, value in values.items():
        text = text.replace("{{" + name + "}}", value)
    if "{{" in text:
        raise ValueError("a place in the template was left unfilled: " + text[text.index("{{"):][:40])
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Render the nginx site configuration for Kỹ năng số.")
    parser.add_argument("--app", action="append", required=True, metavar="HOST:PORT", help="an app server (repeat)")
    parser.add_argument("--server-name", default="_")
    parser.add_argument("--http-listen", default="80")
    parser.add_argument("--https-listen", default="443")
    parser.add_argument("--certificate", required=True)
    parser.add_argument("--certificate-key", required=True)
    parser.add_argument("--access-log", default="/var/log/nginx/kynangso.access.log")
    parser.add_argument("-o", "--output", help="write here (default: standard output)")
    args = parser.parse_args(argv)
    text = render(apps=args.app, server_name=args.server_name, http_listen=args.http_listen,
                  https_listen=args.https_listen, certificate=args.certificate,
                  certificate_key=args.certificate_key, access_log=args.access_log)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
