"""The `clearinghouse` command: friendly verbs over the management commands and the core.

Exit codes: 0 success, 1 findings (a broken audit chain), 2 bad input. `policy check` runs on
the core alone, with no database or Django set-up.
"""

from __future__ import annotations

import argparse
import errno
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TypeAlias

from clearinghouse.core.policy import BUILTIN_POLICY_DIR, DEFAULT_POLICY_ID

from . import (
    _admin,
    _assess,
    _audit,
    _bench,
    _check,
    _feeds,
    _intake,
    _models,
    _notices,
    _orgs,
    _policy,
    _scan,
    _server,
)
from ._common import EXIT_BAD_INPUT, BadInput, add_page_options

Handler = Callable[[argparse.Namespace], int]
if TYPE_CHECKING:
    Verbs: TypeAlias = argparse._SubParsersAction[argparse.ArgumentParser]


def _verb(verbs: Verbs, name: str, handler: Handler, help_text: str) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = verbs.add_parser(
        name, help=help_text, description=handler.__doc__
    )
    parser.set_defaults(handler=handler)
    return parser


def _group(verbs: Verbs, name: str, help_text: str) -> Verbs:
    group: Verbs = verbs.add_parser(name, help=help_text).add_subparsers(
        dest="action", required=True
    )
    return group


def _serve_options(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--threads", type=int, default=8, help="waitress threads of each process")
    parser.add_argument(
        "--processes",
        type=int,
        help="server processes on one socket (default CLEARINGHOUSE_SERVE_PROCESSES, 1)",
    )
    return parser


def _server_options(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument(
        "--server", help="server URL (or CLEARINGHOUSE_SERVER); token in CLEARINGHOUSE_TOKEN"
    )
    parser.add_argument("--as-user", help="act on the local database as this user instead")
    parser.add_argument("--json", action="store_true", help="print JSON")
    return parser


def build_parser() -> argparse.ArgumentParser:
    """The verbs of DESIGN.md §8 that exist so far, each with --help."""
    parser = argparse.ArgumentParser(prog="clearinghouse", description=__doc__)
    verbs = parser.add_subparsers(dest="verb", required=True)

    demo = _serve_options(_verb(verbs, "demo", _server.demo, "run the demo on SQLite"))
    demo.add_argument("--no-serve", action="store_true", help="seed the demo data and exit")
    _serve_options(_verb(verbs, "serve", _server.serve, "serve the web app and API"))
    _verb(verbs, "worker", _server.worker, "run a background worker").add_argument(
        "--batch", action="store_true", help="run the queued tasks, then exit"
    )
    _verb(verbs, "sweep", _server.sweep, "re-queue tasks of dead workers and due deliveries")
    _verb(verbs, "migrate", _server.migrate, "create or upgrade the database")
    _verb(verbs, "check", _check.check, "check the configuration").add_argument(
        "--deploy", action="store_true", help="include the production (deploy) checks"
    )

    _orgs.add_verbs(_group(verbs, "org", "organisations (tenants)"), _verb)
    user = _verb(verbs, "createuser", _admin.createuser, "create a user")
    user.add_argument("username")
    user.add_argument("--role", required=True)
    user.add_argument("--organisation", help="organisation name")
    user.add_argument("--email", default="")
    _verb(
        _group(verbs, "totp", "the second factor (TOTP authenticators)"),
        "reset",
        _admin.totp_reset,
        "remove a user's authenticator so they set up a new one",
    ).add_argument("username")
    token = _verb(
        _group(verbs, "token", "API tokens"), "create", _admin.token_create, "issue a token"
    )
    token.add_argument("username")
    token.add_argument("--name", default="cli")
    audit = _group(verbs, "audit", "the audit log")
    verify = _verb(audit, "verify", _audit.verify, "verify the audit chain and its signatures")
    verify.add_argument("--checkpoints", help="a file from `audit export` to check against")
    verify.add_argument(
        "--public-key", help="PEM public key(s) to trust instead of this instance's"
    )
    export = _verb(audit, "export", _audit.export, "export signed checkpoints and public keys")
    export.add_argument("--output", required=True, help="the file to write")
    _verb(audit, "public-key", _audit.public_key, "print the audit signing public key")

    models = _group(verbs, "models", "the frontier model registry")
    register = _server_options(_verb(models, "register", _models.register, "register a model"))
    register.add_argument("model", metavar="MODEL.json", help="the lab's declaration")
    add_page_options(_server_options(_verb(models, "list", _models.listing, "list models")))

    _notices.add_verbs(_group(verbs, "notices", "pre-deployment review notices"), _verb)
    _verb(verbs, "clock", _admin.clock, "flag overdue notices and send reminders").add_argument(
        "--every", type=int, default=0, help="repeat every N seconds"
    )

    policy = _group(verbs, "policy", "covered-model policies")
    listing = _verb(policy, "list", _policy.listing, "list policies")
    listing.add_argument("--json", action="store_true")
    listing.add_argument("--policy-dir", default=str(BUILTIN_POLICY_DIR))
    check = _verb(policy, "check", _policy.check, "determine coverage of a model description")
    check.add_argument("model", metavar="MODEL.json")
    check.add_argument(
        "--policy", default=DEFAULT_POLICY_ID, help=f"policy id (default: {DEFAULT_POLICY_ID})"
    )
    check.add_argument("--policy-dir", default=str(BUILTIN_POLICY_DIR))
    check.add_argument("--json", action="store_true", help="print the determination as JSON")
    activate = _verb(policy, "activate", _policy.activate, "make a policy active")
    activate.add_argument("policy_id")
    activate.add_argument("--as-user", required=True, help="the admin doing it (audited)")

    feeds = _group(verbs, "import", "load public advisory feeds")
    osv = _verb(feeds, "osv", _feeds.import_osv, "import OSV advisories (file, directory, zip)")
    osv.add_argument("path", metavar="PATH")
    osv.add_argument("--as-user", help="the coordinator or admin doing it (audited)")
    _feeds.add_feed_verbs(feeds, _verb)
    _intake.add_verbs(verbs, _verb)
    scan = _verb(verbs, "scan", _scan.run, "match an SBOM against OSV advisories, offline")
    scan.add_argument("sbom", metavar="SBOM", help="CycloneDX (JSON/XML) or SPDX (JSON/tag-value)")
    scan.add_argument("--advisories", metavar="PATH", help="OSV directory, file or zip")
    scan.add_argument("--format", choices=["table", "json", "sarif"], default="table")
    scan.add_argument(
        "--fail-on-unknown", action="store_true", help="exit 1 on unknown verdicts too"
    )
    _assess.add_verbs(verbs, _verb, _server_options)
    _bench.add_verbs(verbs, _group, _verb)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one verb; a refusal prints `error: …` lines to stderr and returns 2, never a trace."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except BrokenPipeError:  # the reader stopped early (`… | head`): not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except BadInput as error:
        lines = str(error).splitlines()
    except Exception as error:
        refusal = _refusal(error)
        if refusal is None:
            raise
        lines = refusal.splitlines()
    for line in lines:
        print(f"error: {line}", file=sys.stderr)
    return EXIT_BAD_INPUT


def _refusal(error: Exception) -> str | None:
    """What to tell the user of an error a verb's input or permissions caused, else None.

    Django's exceptions are looked up only where a verb loaded Django: verbs that run on the
    core alone never import it.
    """
    from clearinghouse.errors import Conflict, InvalidInput

    if isinstance(error, InvalidInput | Conflict):
        return str(error)
    if isinstance(error, OSError) and error.errno == errno.EADDRINUSE:
        return f"the address is already in use ({error.strerror}): choose another --port"
    exceptions = sys.modules.get("django.core.exceptions")
    if exceptions is not None and isinstance(error, exceptions.PermissionDenied):
        return f"permission denied: {error}" if str(error) else "permission denied"
    if exceptions is not None and isinstance(error, exceptions.ImproperlyConfigured):
        return f"configuration: {error}"  # a setting the environment gives that cannot be used
    management = sys.modules.get("django.core.management.base")
    if management is not None and isinstance(error, management.CommandError):
        return str(error)
    return None


if __name__ == "__main__":
    sys.exit(main())
