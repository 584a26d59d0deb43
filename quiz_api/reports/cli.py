"""`kynangso targets import`, `kynangso export`, `kynangso demo seed`."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
import time
from pathlib import Path

from quiz_api.config import get_settings
from quiz_api.errors import DomainError
from quiz_api.labels import DEFAULT_LANG, GROUP_IDS, LANGS, t


def _database():
    from quiz_api.db import Database

    return Database(get_settings().database_url)


def _banks() -> dict:
    from quiz_api.banks import BankError, load_banks

    try:
        return load_banks(get_settings().banks_dir)
    except BankError as exc:
        print(f"warning: question banks not loaded ({len(exc.problems)} problem(s)); module ids are not checked",
              file=sys.stderr)
        return {}


def _known_modules(database, banks: dict) -> set[str] | None:
    """Module ids a filter may name: the banks' and those with targets (None: banks not loaded)."""
    if not banks:
        return None
    from sqlalchemy import select

    from quiz_api.reports.models import Target

    with database.reading() as db:
        return set(banks) | set(db.scalars(select(Target.module_id).distinct()))


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"[:64]
    except Exception:  # noqa: BLE001 - no user name in some containers
        return "cli"


def cmd_targets_import(args: argparse.Namespace) -> int:
    from quiz_api import audit
    from quiz_api.csvfiles import CsvFileError
    from quiz_api.reports import targets

    try:
        data = Path(args.file).read_bytes()
    except OSError as exc:
        print(f"cannot read the file: {exc}", file=sys.stderr)
        return 2
    try:
        with _database().writing() as db:
            counts = targets.import_csv(db=db, data=data, known_modules=set(_banks()))
            audit.record(db=db, actor=_actor(), action="targets.import",
                         detail={"file": Path(args.file).name, **counts},
                         row_count=counts["created"] + counts["updated"])
    except CsvFileError as exc:
        print("nothing was imported; fix these rows:", file=sys.stderr)
        for err in exc.errors:
            print(f"  {err}", file=sys.stderr)
        return 2
    print(f"targets: {counts['created']} created, {counts['updated']} updated")
    return 0


class Progress:
    """A one-line progress bar on stderr (rows sent, share done, rate), redrawn at most 5 times a second."""

    def __init__(self, total: int | None, stream=None, width: int = 30) -> None:
        self.total = total
        self.stream = stream or sys.stderr
        self.width = width
        self.started = time.monotonic()
        self.last = 0.0
        self.rows = 0
        self.drawn: int | None = None

    def __call__(self, rows: int, final: bool = False) -> None:
        self.rows = rows
        now = time.monotonic()
        if final and self.drawn == rows:  # the last line already shows it
            self.stream.write("\n")
            self.stream.flush()
            return
        if not final and (rows == self.drawn or (now - self.last < 0.2 and rows != self.total)):
            return
        self.drawn = rows
        self.last = now
        elapsed = now - self.started
        rate = rows / elapsed if elapsed > 0 else 0
        if self.total:
            done = min(1.0, rows / self.total)
            bar = "#" * int(done * self.width)
            line = f"[{bar:<{self.width}}] {done:4.0%} {rows:,}/{self.total:,} rows"
        else:
            line = f"{rows:,} rows"
        self.stream.write(f"\r{line}  {elapsed:5.1f} s  {rate:,.0f} rows/s ")
        if final:
            self.stream.write("\n")
        self.stream.flush()


def cmd_export(args: argparse.Namespace) -> int:
    from quiz_api import localtime
    from quiz_api.organisers.service import Principal
    from quiz_api.profile import load_profile
    from quiz_api.reports import exporting, filters, registry

    settings = get_settings()
    tz = load_profile(settings.profile_dir).tz
    database = _database()
    banks = _banks()
    params = {k: str(v) for k, v in (("year", args.year), ("module", args.module), ("group", args.group),
                                     ("unit", args.unit), ("class", args.class_code)) if v is not None}
    operator = Principal(0, _actor(), "admin", frozenset())
    progress: Progress | None = None

    def on_rows(n: int) -> None:
        if progress is not None:
            progress(n)

    report = registry.REPORTS[args.kind]
    try:
        f = filters.parse(params, known_modules=_known_modules(database, banks), with_class=report.class_filter)
        with database.reading() as db:
            scope = filters.resolve(db=db, who=operator, filters=f, aggregate_export=True, tz=tz)
        export = exporting.prepare(database=database, banks=banks, settings=settings, kind=report.key,
                                   fmt=args.format or report.formats[0], scope=scope, lang=args.lang,
                                   actor=operator.actor, on_rows=on_rows,
                                   year_default=localtime.local_today(tz).year if report.needs_year else None)
    except DomainError as exc:
        print(t(exc.key, args.lang, **exc.params), file=sys.stderr)
        return 2
    progress = Progress(export.total)
    out_path = None if args.output == "-" else Path(args.output)
    tmp = out_path.with_name(out_path.name + ".part") if out_path else None
    try:
        with (open(tmp, "wb") if tmp else os.fdopen(os.dup(sys.stdout.fileno()), "wb")) as out:
            for chunk in export.chunks:
                out.write(chunk)
        if tmp and out_path:
            os.replace(tmp, out_path)
    except BaseException:
        if tmp and tmp.exists():
            tmp.unlink()
        raise
    progress(progress.rows, final=True)
    where = out_path or "stdout"
    print(f"{export.kind}: {progress.rows:,} rows → {where}", file=sys.stderr)
    return 0


def cmd_report_annual(args: argparse.Namespace) -> int:
    """`kynangso report annual --year Y`: the yearly report, through the same export path (audited)."""
    default = f"bao-cao-nam-{args.year}.docx" if args.lang == "vi" else f"annual-report-{args.year}.docx"
    return cmd_export(argparse.Namespace(kind="annual", format=args.format, year=args.year, module=None, group=None,
                                         unit=args.unit, class_code=None, lang=args.lang,
                                         output=args.output or default))


def cmd_demo_seed(args: argparse.Namespace) -> int:
    from quiz_api.reports import demo

    try:
        counts = demo.seed(database=_database(), banks=_banks(), learners=args.learners, year=args.year,
                           seed=args.seed, progress=sys.stderr)
    except DomainError as exc:
        print(t(exc.key, "en", **exc.params), file=sys.stderr)
        return 2
    print(f"demo data: {counts['learners']:,} learners, {counts['attempts']:,} attempts, "
          f"{counts['targets']:,} targets ({counts['seconds']:.1f} s). This database is now marked as demo.")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add the report commands to the `kynangso` parser."""
    from quiz_api.reports.registry import FILE_FORMATS, REPORTS

    tgt = sub.add_parser("targets", help="yearly training targets").add_subparsers(dest="targets_command",
                                                                                  required=True)
    imp = tgt.add_parser("import", help="insert or replace targets from a CSV "
                                        "(year,unit_code,group,module_id,headcount,target_share)")
    imp.add_argument("file")
    imp.set_defaults(func=cmd_targets_import)

    exp = sub.add_parser("export", help="export a report (progress on stderr); every export is audited")
    exp.add_argument("kind", choices=tuple(REPORTS))
    exp.add_argument("--format", choices=tuple(FILE_FORMATS),
                     help="default: the report's first (csv; jsonl for xapi); each report offers its own")
    exp.add_argument("--year", type=int)
    exp.add_argument("--module")
    exp.add_argument("--group", choices=GROUP_IDS)
    exp.add_argument("--unit", help="a unit code: that unit and every unit below it")
    exp.add_argument("--class", dest="class_code", metavar="CODE",
                     help="a class's join code: its members only (completions, attempts)")
    exp.add_argument("--lang", default=DEFAULT_LANG, choices=LANGS, help="language of headers and labels")
    exp.add_argument("-o", "--output", required=True, help="file to write, or - for stdout")
    exp.set_defaults(func=cmd_export)

    report = sub.add_parser("report", help="the yearly report").add_subparsers(dest="report_command", required=True)
    annual = report.add_parser("annual", help="the yearly evaluation against targets as an editable Word document")
    annual.add_argument("--year", type=int, required=True)
    annual.add_argument("--format", default="docx", choices=("docx",))
    annual.add_argument("--lang", default=DEFAULT_LANG, choices=LANGS)
    annual.add_argument("--unit", help="a unit code: that unit and every unit below it")
    annual.add_argument("-o", "--output", help="file to write (default: bao-cao-nam-YEAR.docx, or annual-report-YEAR.docx)")
    annual.set_defaults(func=cmd_report_annual)

    demo = sub.add_parser("demo", help="demo data").add_subparsers(dest="demo_command", required=True)
    seed = demo.add_parser("seed", help="fill an empty (or demo) database with a realistic demo province")
    seed.add_argument("--learners", type=int, default=2000)
    seed.add_argument("--year", type=int, help="default: this year")
    seed.add_argument("--seed", type=int, default=2026, help="random seed (the same seed gives the same data)")
    seed.set_defaults(func=cmd_demo_seed)
