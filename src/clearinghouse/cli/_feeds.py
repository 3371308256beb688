"""`clearinghouse import osv PATH`: load public advisory feeds into the database."""

from __future__ import annotations

import argparse

from ._common import EXIT_OK, call, setup_django


def import_osv(args: argparse.Namespace) -> int:
    """Import OSV advisories from a file, directory or zip (JSON or YAML); exit 2 if any refused.

    Re-importing updates only records whose `modified` is newer; the counts of new, updated,
    unchanged and withdrawn records are printed, and each refused record with its reason.
    """
    setup_django()
    options = {"username": args.as_user} if args.as_user else {}
    call("import_osv", args.path, **options)
    return EXIT_OK
