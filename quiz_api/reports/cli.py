"""`kynangso targets import`, `kynangso export`, `kynangso demo seed`."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    """Add the report commands to the `kynangso` parser."""
