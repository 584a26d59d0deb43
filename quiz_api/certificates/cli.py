"""`kynangso certificates revoke CODE --reason "..."`: for province admins on the server."""

from __future__ import annotations

import argparse
import getpass
import sys

from quiz_api import localtime
from quiz_api.config import get_settings
from quiz_api.errors import Conflict, DomainError
from quiz_api.labels import t
from quiz_api.profile import load_profile


def cmd_revoke(args: argparse.Namespace) -> int:
    from quiz_api.certificates import service as certificates
    from quiz_api.db import Database

    settings = get_settings()
    database = Database(settings.database_url)
    profile = load_profile(settings.profile_dir)
    actor = f"cli:{args.actor or getpass.getuser()}"
    try:
        with database.writing() as db:
            view = certificates.revoke(db=db, code=args.code, reason=args.reason, actor=actor)
    except Conflict as exc:  # revoking twice is not a failure: the certificate is revoked
        print(t(exc.key, "en", **localtime.localise(exc.params, tz=profile.tz, zone_name=profile.zone_name("en"))))
        return 0
    except DomainError as exc:
        print(t(exc.key, "en", **exc.params), file=sys.stderr)
        return 2
    finally:
        database.dispose()
    print(f"certificate {view.code} ({view.kind} {view.subject}) revoked; verification now says revoked")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    certificates = sub.add_parser("certificates", help="certificates").add_subparsers(
        dest="certificates_command", required=True)
    revoke = certificates.add_parser("revoke", help="revoke a certificate (kept, verified as revoked)")
    revoke.add_argument("code", help='the certificate code, e.g. 7KQ2-M9XD-P')
    revoke.add_argument("--reason", required=True, help="why (kept in the audit log and shown to the holder)")
    revoke.add_argument("--actor", help="who revokes, for the audit log (default: the system user name)")
    revoke.set_defaults(func=cmd_revoke)
