"""The `kynangso` command for operators, organisers and content authors."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from quiz_api.config import get_settings


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
        for lang in ("vi", "en"):
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
    import uvicorn

    if not args.no_upgrade:
        cmd_db_upgrade(args)
        cmd_units_import(argparse.Namespace(file=None, if_empty=True))
    # ArrivalProtocol: uvicorn's httptools protocol noting when each request arrived (serving.py)
    uvicorn.run("quiz_api.main:create_app", factory=True, host=args.host, port=args.port, workers=args.workers,
                proxy_headers=args.proxy_headers, log_level="info", access_log=not args.no_access_log,
                http="quiz_api.serving:ArrivalProtocol")
    return 0


def _redact(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kynangso", description="Kỹ năng số: operate the quiz service.")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="upgrade the database, load the default units, serve")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--proxy-headers", action="store_true", help="trust X-Forwarded-For (behind a proxy)")
    serve.add_argument("--no-upgrade", action="store_true")
    serve.add_argument("--no-access-log", action="store_true")
    serve.set_defaults(func=cmd_serve)

    db = sub.add_parser("db", help="database schema").add_subparsers(dest="db_command", required=True)
    db.add_parser("upgrade", help="apply migrations").set_defaults(func=cmd_db_upgrade)
    rev = db.add_parser("revision", help="(developers) autogenerate a migration from the models")
    rev.add_argument("-m", "--message", required=True)
    rev.set_defaults(func=cmd_db_revision)

    units = sub.add_parser("units", help="the unit tree").add_subparsers(dest="units_command", required=True)
    imp = units.add_parser("import", help="insert or update units from a CSV (code,name,kind,parent_code[,former_units])")
    imp.add_argument("file", nargs="?", help="CSV file; default: the province profile's units.csv")
    imp.add_argument("--if-empty", action="store_true", help="only when no unit is loaded yet")
    imp.set_defaults(func=cmd_units_import)

    banks = sub.add_parser("banks", help="question banks").add_subparsers(dest="banks_command", required=True)
    check = banks.add_parser("check", help="validate banks and their lesson links")
    check.add_argument("--docs", help="docs directory (default: KYNANGSO_DOCS_DIR or ./docs)")
    check.set_defaults(func=cmd_banks_check)

    from quiz_api.certificates.cli import register as register_certificates
    from quiz_api.organisers.cli import register as register_organisers
    from quiz_api.privacy.cli import register as register_purge
    from quiz_api.reports.cli import register as register_reports

    register_organisers(sub)
    register_reports(sub)
    register_certificates(sub)
    register_purge(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
