"""`kynangso aggregates rebuild` and `kynangso aggregates check`: the report aggregates from scratch."""

from __future__ import annotations

import argparse
import sys

from quiz_api.config import get_settings


def _zone():
    from quiz_api.aggregates.service import zone
    from quiz_api.profile import load_profile

    return zone(load_profile(get_settings().profile_dir).timezone)


def cmd_rebuild(args: argparse.Namespace) -> int:
    from quiz_api.aggregates import rebuild
    from quiz_api.db import Database

    database = Database(get_settings().database_url)
    try:
        with database.writing() as db:
            done = rebuild.rebuild(db.connection(), _zone(), progress=sys.stderr)
    finally:
        database.dispose()
    print(f"aggregates rebuilt: {done.months:,} month rows, {done.questions:,} question rows, {done.picks:,} pick rows "
          f"in {done.seconds:.1f} s")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from quiz_api.aggregates import rebuild
    from quiz_api.db import Database

    database = Database(get_settings().database_url)
    try:
        # One snapshot for the stored rows and the raw ones (PostgreSQL: REPEATABLE READ), so
        # submissions committed meanwhile are in both or in neither.
        options = {} if database.is_sqlite else {"isolation_level": "REPEATABLE READ"}
        with database.engine.connect().execution_options(**options) as conn, conn.begin():
            found = rebuild.check(conn, _zone(), progress=sys.stderr)
    finally:
        database.dispose()
    if not found:
        print("aggregates match the raw tables")
        return 0
    print(f"{len(found)} difference(s) between the aggregates and the raw tables:", file=sys.stderr)
    for difference in found[: args.limit]:
        print(f"  {difference}", file=sys.stderr)
    if len(found) > args.limit:
        print(f"  ... and {len(found) - args.limit} more", file=sys.stderr)
    print("run `kynangso aggregates rebuild` to recompute them", file=sys.stderr)
    return 1


def register(sub: argparse._SubParsersAction) -> None:
    agg = sub.add_parser("aggregates", help="the report aggregates (running totals the dashboard reads)")
    commands = agg.add_subparsers(dest="aggregates_command", required=True)
    rebuild = commands.add_parser(
        "rebuild", help="recompute them from the raw tables (idempotent; submissions wait while it runs)")
    rebuild.set_defaults(func=cmd_rebuild)
    check = commands.add_parser("check", help="compare them with the raw tables; exit 1 on any difference")
    check.add_argument("--limit", type=int, default=50, help="differences to print (default 50)")
    check.set_defaults(func=cmd_check)
