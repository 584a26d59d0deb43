"""The `kynangso` command for operators, organisers and content authors."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from quiz_api.config import get_settings
from quiz_api.labels import LANGS, PRODUCT


def _database():
    from quiz_api.db import Database

    return Database(get_settings().database_url)


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from quiz_api import migrate

    migrate.upgrade(get_settings().database_url)
    print(f"database schema is up to date ({_redact(get_settings().database_url)})")
    return 0


def cmd_db_revision(args: argparse.Namespace) -> int:
    from quiz_api import migrate

    migrate.revision(get_settings().database_url, args.message)
    return 0


def cmd_units_import(args: argparse.Namespace) -> int:
    from quiz_api.csvfiles import CsvFileError
    from quiz_api.profile import load_profile
    from quiz_api.units import service as units

    database = _database()
    try:
        with database.writing() as db:
            if args.if_empty and units.list_units(db=db):
                print("units already loaded; nothing to do")
                return 0
            data = Path(args.file).read_bytes() if args.file else (get_settings().profile_dir / "units.csv").read_bytes()
            counts = units.import_csv(db=db, data=data, kinds=load_profile(get_settings().profile_dir).unit_kinds)
    except CsvFileError as exc:
        print("nothing was imported; fix these rows:", file=sys.stderr)
        for err in exc.errors:
            print(f"  {err}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"cannot read the file: {exc}", file=sys.stderr)
        return 2
    print(f"units: {counts['created']} created, {counts['updated']} updated")
    return 0


def cmd_banks_check(args: argparse.Namespace) -> int:
    from quiz_api.banks import check_banks, itemcheck, load_banks

    settings = get_settings()
    problems = check_banks(settings.banks_dir, Path(args.docs or settings.docs_dir))
    if problems:
        print(f"{len(problems)} problem(s):", file=sys.stderr)
        for p in problems:
            print(f"  {p}", file=sys.stderr)
        return 1
    banks = load_banks(settings.banks_dir)
    failures = []
    for bank in banks.values():
        types: dict[str, int] = {}
        for q in bank.questions.values():
            types[q.type] = types.get(q.type, 0) + 1
        print(f"{bank.id}: {len(bank.questions)} questions {types}, {bank.questions_per_attempt} per attempt, "
              f"pass mark {bank.pass_mark:.0%}")
        for lang in LANGS:
            report = itemcheck.report(bank, lang)
            print("\n".join(report.lines()))
            failures += [f"{bank.id} [{lang}]: {failure}" for failure in report.failures()]
    if failures:
        print(f"{len(failures)} item-writing problem(s):", file=sys.stderr)
        for failure in failures:
            print(f"  {failure}", file=sys.stderr)
        return 1
    print("all banks valid; every lesson link resolves in vi and en; no item-writing problem")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve. With --no-upgrade (the multi-host mode) the schema is left alone: a deploy step runs
    `kynangso db upgrade` once (or every host does, one at a time: migrate.upgrade takes a lock)."""
    import uvicorn

    from quiz_api import logs

    if args.no_access_log:  # the workers read it from the environment too
        os.environ["KYNANGSO_ACCESS_LOG"] = "false"
        get_settings.cache_clear()
    settings = get_settings()
    problem = settings.serving_problem(workers=args.workers)
    if problem:
        print(f"kynangso serve: not starting. {problem}", file=sys.stderr)
        return 2
    if not args.no_upgrade:
        cmd_db_upgrade(args)
        cmd_units_import(argparse.Namespace(file=None, if_empty=True))
    # Proxy headers are read only from the proxies named; uvicorn's own default would trust 127.0.0.1.
    trusted = args.forwarded_allow_ips if args.forwarded_allow_ips is not None else settings.trusted_proxies
    proxy_headers = bool(trusted) or args.proxy_headers
    if args.workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # Before any worker imports prometheus_client: each writes its samples here, /metrics adds them up.
        directory = (Path(settings.var_dir) / f"metrics-{args.port}").resolve()
        directory.mkdir(parents=True, exist_ok=True)
        for stale in directory.glob("*.db"):  # a previous run's workers
            stale.unlink()
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(directory)
    # The access log is the application's own (logs.py: route templates, no codes), not uvicorn's.
    uvicorn.run("quiz_api.main:create_app", factory=True, host=args.host, port=args.port, workers=args.workers,
                proxy_headers=proxy_headers, forwarded_allow_ips=trusted or None, log_level="info",
                access_log=False, log_config=logs.config(settings.log_format, access=settings.access_log),
                http="quiz_api.serving:ArrivalProtocol")  # notes when each request arrived (serving.py)
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from quiz_api.backup import BackupError, backup

    url = get_settings().database_url
    try:
        size = backup(url, Path(args.dest), force=args.force)
    except BackupError as exc:
        print(f"backup: {exc}", file=sys.stderr)
        return 2
    print(f"backup of {_redact(url)} written to {args.dest} ({size:,} bytes)")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from quiz_api.backup import BackupError, restore

    url = get_settings().database_url
    try:
        restore(url, Path(args.src), force=args.force)
    except BackupError as exc:
        print(f"restore: {exc}", file=sys.stderr)
        return 2
    print(f"restored {args.src} into {_redact(url)}; start the server (`kynangso serve` upgrades the schema "
          "if the backup is older than this version)")
    return 0


def _redact(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kynangso", description=f"{PRODUCT}: operate the quiz service.")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="upgrade the database, load the default units, serve")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--proxy-headers", action="store_true",
                       help="read X-Forwarded-For/-Proto from 127.0.0.1 (a proxy on this host)")
    serve.add_argument("--forwarded-allow-ips", metavar="IPS",
                       help="proxies whose X-Forwarded-For/-Proto are believed: comma-separated addresses or "
                            "CIDRs (default: KYNANGSO_TRUSTED_PROXIES); turns proxy headers on")
    serve.add_argument("--no-upgrade", action="store_true",
                       help="multi-host mode: leave the schema alone (run `kynangso db upgrade` as a deploy step)")
    serve.add_argument("--no-access-log", action="store_true")
    serve.set_defaults(func=cmd_serve)

    db = sub.add_parser("db", help="database schema").add_subparsers(dest="db_command", required=True)
    db.add_parser("upgrade", help="apply migrations").set_defaults(func=cmd_db_upgrade)
    rev = db.add_parser("revision", help="(developers) autogenerate a migration from the models")
    rev.add_argument("-m", "--message", required=True)
    rev.set_defaults(func=cmd_db_revision)

    backup = sub.add_parser("backup", help="a consistent copy of the database, taken while serving "
                                           "(SQLite: online backup; PostgreSQL: pg_dump -Fc)")
    backup.add_argument("dest", help="the file to write")
    backup.add_argument("--force", action="store_true", help="replace dest if it exists")
    backup.set_defaults(func=cmd_backup)
    restore = sub.add_parser("restore", help="put a backup in place of the configured database (stop the server "
                                             "first; PostgreSQL: pg_restore --clean)")
    restore.add_argument("src", help="a file written by `kynangso backup`")
    restore.add_argument("--force", action="store_true", help="replace a database that already has data")
    restore.set_defaults(func=cmd_restore)

    units = sub.add_parser("units", help="the unit tree").add_subparsers(dest="units_command", required=True)
    imp = units.add_parser("import", help="insert or update units from a CSV (code,name,kind,parent_code[,former_units])")
    imp.add_argument("file", nargs="?", help="CSV file; default: the province profile's units.csv")
    imp.add_argument("--if-empty", action="store_true", help="only when no unit is loaded yet")
    imp.set_defaults(func=cmd_units_import)

    banks = sub.add_parser("banks", help="question banks").add_subparsers(dest="banks_command", required=True)
    check = banks.add_parser("check", help="validate banks and their lesson links")
    check.add_argument("--docs", help="docs directory (default: KYNANGSO_DOCS_DIR or ./docs)")
    check.set_defaults(func=cmd_banks_check)

    from quiz_api.aggregates.cli import register as register_aggregates
    from quiz_api.certificates.cli import register as register_certificates
    from quiz_api.organisers.cli import register as register_organisers
    from quiz_api.privacy.cli import register as register_purge
    from quiz_api.reports.cli import register as register_reports

    register_organisers(sub)
    register_reports(sub)
    register_certificates(sub)
    register_purge(sub)
    register_aggregates(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
