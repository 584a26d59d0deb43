"""`kynangso purge`: the retention period, applied (dry run unless --apply)."""

from __future__ import annotations

import argparse

from quiz_api.config import get_settings


def cmd_purge(args: argparse.Namespace) -> int:
    from quiz_api import localtime
    from quiz_api.db import Database
    from quiz_api.privacy import service as privacy
    from quiz_api.profile import load_profile

    settings = get_settings()
    days = args.retention_days or settings.retention_days
    database = Database(settings.database_url)
    try:
        with database.writing() as db:
            result = privacy.purge(db=db, retention_days=days, apply=args.apply)
    finally:
        database.dispose()
    profile = load_profile(settings.profile_dir)
    since = f"{localtime.short(result.cutoff, profile.tz)} ({profile.zone_name('en')})"
    if result.applied:
        print(f"purge: erased the personal data of {result.count} learner(s) not seen since {since} "
              f"(retention {days} days); logged in the audit log as 'system'")
    else:
        print(f"dry run: {result.count} learner(s) not seen since {since} (retention {days} days) "
              "would be erased; run `kynangso purge --apply` to erase them")
    return 0


def _days(value: str) -> int:
    days = int(value)
    if days < 1:
        raise argparse.ArgumentTypeError("the retention period is at least 1 day")
    return days


def register(sub: argparse._SubParsersAction) -> None:
    purge = sub.add_parser("purge", help="erase the personal data of learners inactive longer than the "
                                         "retention period (dry run unless --apply; safe to run daily)")
    purge.add_argument("--apply", action="store_true", help="erase (default: only count)")
    purge.add_argument("--retention-days", type=_days, default=None, metavar="DAYS",
                       help="override KYNANGSO_RETENTION_DAYS for this run")
    purge.set_defaults(func=cmd_purge)
