"""`kynangso organiser ...`: accounts are made on the server, passwords never on the command line."""

from __future__ import annotations

import argparse
import getpass
import sys

from quiz_api.config import get_settings
from quiz_api.errors import DomainError
from quiz_api.labels import bilingual, t


def _database():
    from quiz_api.db import Database

    return Database(get_settings().database_url)


def read_password(stdin=None, prompt=getpass.getpass) -> str:
    """From an interactive prompt (asked twice) or, when stdin is not a terminal, its first line."""
    stdin = stdin or sys.stdin
    if stdin.isatty():
        first = prompt(f"{bilingual('cli.password')}: ")
        if prompt(f"{bilingual('cli.password_again')}: ") != first:
            raise SystemExit("the two passwords differ; nothing was changed")
        return first
    return stdin.readline().rstrip("\r\n")


def _fail(exc: DomainError) -> int:
    print(t(exc.key, "en", **exc.params), file=sys.stderr)
    return 2


def cmd_create(args: argparse.Namespace) -> int:
    from quiz_api import audit
    from quiz_api.organisers import service as organisers

    if bool(args.admin) == bool(args.unit):
        print("give either --admin or at least one --unit CODE", file=sys.stderr)
        return 2
    password = read_password()
    try:
        with _database().writing() as db:
            org = organisers.create(db=db, username=args.username, password=password,
                                    role="admin" if args.admin else "unit", unit_codes=args.unit or [])
            audit.record(db=db, actor="cli", action="organiser.create",
                         detail={"username": org.username, "role": org.role, "units": args.unit or []})
    except DomainError as exc:
        return _fail(exc)
    scope = "every unit" if args.admin else ", ".join(args.unit) + " and the units below"
    print(f"organiser {org.username} created ({org.role}; sees {scope})")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from quiz_api.organisers import service as organisers

    with _database().reading() as db:
        rows = organisers.list_all(db=db)
    if not rows:
        print("no organiser yet: kynangso organiser create USERNAME --admin")
    for org, codes in rows:
        state = f"disabled {org.disabled_at:%Y-%m-%d}" if org.disabled_at else "active"
        print(f"{org.username:24} {org.role:6} {state:20} {', '.join(codes) or '(all units)'}")
    return 0


def cmd_disable(args: argparse.Namespace, disabled: bool = True) -> int:
    from quiz_api import audit
    from quiz_api.organisers import service as organisers

    try:
        with _database().writing() as db:
            org = organisers.set_disabled(db=db, username=args.username, disabled=disabled)
            audit.record(db=db, actor="cli", action="organiser.disable" if disabled else "organiser.enable",
                         detail={"username": org.username})
    except DomainError as exc:
        return _fail(exc)
    print(f"organiser {org.username} {'disabled' if disabled else 'enabled'}")
    return 0


def cmd_enable(args: argparse.Namespace) -> int:
    return cmd_disable(args, disabled=False)


def cmd_password(args: argparse.Namespace) -> int:
    from quiz_api import audit
    from quiz_api.organisers import service as organisers

    password = read_password()
    try:
        with _database().writing() as db:
            org = organisers.set_password(db=db, username=args.username, password=password)
            audit.record(db=db, actor="cli", action="organiser.password", detail={"username": org.username})
    except DomainError as exc:
        return _fail(exc)
    print(f"new password set for {org.username}; its old sessions and tokens no longer work")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    org = sub.add_parser("organiser", help="organiser accounts").add_subparsers(dest="organiser_command",
                                                                                 required=True)
    create = org.add_parser("create", help="create an account; the password is read from a prompt or stdin")
    create.add_argument("username")
    who = create.add_mutually_exclusive_group(required=True)
    who.add_argument("--admin", action="store_true", help="province admin: sees every unit")
    who.add_argument("--unit", action="append", metavar="CODE",
                     help="a unit this organiser sees (with every unit below it); repeat for several")
    create.set_defaults(func=cmd_create)
    org.add_parser("list", help="list accounts").set_defaults(func=cmd_list)
    for name, func, text in (("disable", cmd_disable, "disable an account (its tokens stop working)"),
                             ("enable", cmd_enable, "enable a disabled account"),
                             ("password", cmd_password, "set a new password (read from a prompt or stdin)")):
        p = org.add_parser(name, help=text)
        p.add_argument("username")
        p.set_defaults(func=func)
