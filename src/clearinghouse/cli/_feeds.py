"""`clearinghouse import osv|kev|epss PATH`: load advisory and scoring feeds into the database."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ._common import EXIT_OK, BadInput, call, setup_django


def import_osv(args: argparse.Namespace) -> int:
    """Import OSV advisories from a file, directory or zip (JSON or YAML); exit 2 if any refused.

    Re-importing updates only records whose `modified` is newer; the counts of new, updated,
    unchanged and withdrawn records are printed, and each refused record with its reason.
    """
    setup_django()
    options = {"username": args.as_user} if args.as_user else {}
    call("import_osv", args.path, **options)
    return EXIT_OK


def import_kev(args: argparse.Namespace) -> int:
    """Load CISA's KEV catalog (JSON, optionally gzipped) and re-score reports naming its CVEs."""
    return _import_feed(args, "kev")


def import_epss(args: argparse.Namespace) -> int:
    """Load a daily EPSS CSV (optionally gzipped) and re-score reports naming its CVEs."""
    return _import_feed(args, "epss")


def _import_feed(args: argparse.Namespace, kind: str) -> int:
    path = Path(args.path)
    if not path.is_file():
        raise BadInput(f"{path}: no such file")
    setup_django()
    from django.core.exceptions import PermissionDenied

    from clearinghouse.accounts.models import User
    from clearinghouse.errors import InvalidInput
    from clearinghouse.intake import services

    user = None
    if args.as_user:
        user = User.objects.filter(username=args.as_user, is_active=True).first()
        if user is None:
            raise BadInput(f"--as-user: no active user {args.as_user!r}")
    importer = services.import_kev if kind == "kev" else services.import_epss
    try:
        run = importer(user, path)
    except InvalidInput as error:
        raise BadInput(str(error)) from None
    except PermissionDenied as error:
        raise BadInput(str(error)) from None
    label = f" {run.version}" if run.version else ""
    print(f"{kind.upper()}{label}: {run.entries:,} entries; {run.rescored:,} reports re-scored")
    return EXIT_OK


def add_feed_verbs(feeds: Any, verb: Callable[..., argparse.ArgumentParser]) -> None:
    """Register `import kev` and `import epss` next to `import osv`."""
    for name, handler, text in (
        ("kev", import_kev, "import CISA's Known Exploited Vulnerabilities catalog"),
        ("epss", import_epss, "import a daily EPSS scores CSV"),
    ):
        parser = verb(feeds, name, handler, text)
        parser.add_argument("path", metavar="FILE")
        parser.add_argument("--as-user", help="the coordinator or admin doing it (audited)")
