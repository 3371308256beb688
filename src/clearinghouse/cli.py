"""The `clearinghouse` command: friendly verbs over the management commands and the core.

Exit codes: 0 success, 1 findings (a broken audit chain, a vulnerable SBOM), 2 bad input.
`policy check` runs on the core alone, with no database or Django set-up.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from clearinghouse.core.policy import (
    BUILTIN_POLICY_DIR,
    Determination,
    PolicyError,
    determine,
    load_policies,
    parse_description,
)

EXIT_OK, EXIT_FINDINGS, EXIT_BAD_INPUT = 0, 1, 2
MAX_DESCRIPTION_BYTES = 1024 * 1024


class BadInput(Exception):
    """Input the command cannot use; printed as `error: …` lines, exit 2."""


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clearinghouse.settings")
    import django

    django.setup()


def _call(command: str, *args: str, **options: object) -> None:
    from django.core.management import call_command

    call_command(command, *args, **options)


def _print_determination(outcome: Determination, source: str) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    verdict = "[bold red]COVERED[/]" if outcome.covered else "[bold]not covered[/]"
    console.print(f"{source}: {verdict} under {outcome.policy_id} v{outcome.policy_version}")
    table = Table("criterion", "met", "reason")
    for reason in outcome.reasons:
        mark = "yes" if reason.met else ("disabled" if not reason.enabled else "no")
        table.add_row(reason.label, mark, reason.detail)
    console.print(table)


def _read_json(path: Path) -> object:
    if not path.is_file():
        raise BadInput(f"{path}: no such file")
    if path.stat().st_size > MAX_DESCRIPTION_BYTES:
        raise BadInput(f"{path}: larger than {MAX_DESCRIPTION_BYTES} bytes")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BadInput(f"{path}: not valid JSON ({error})") from None


def policy_check(args: argparse.Namespace) -> int:
    """Determine a model description file's coverage under a policy, without a database."""
    from pydantic import ValidationError

    from clearinghouse.errors import InvalidInput

    try:
        policies = load_policies(Path(args.policy_dir))
    except PolicyError as error:
        raise BadInput(str(error)) from None
    if args.policy not in policies:
        raise BadInput(f"unknown policy {args.policy!r}; available: {', '.join(sorted(policies))}")
    path = Path(args.model)
    try:
        description = parse_description(_read_json(path))
    except ValidationError as error:
        problems = InvalidInput.from_validation(error).errors
        raise BadInput(
            "\n".join(f"{path}: {'.'.join(item.loc) or 'input'}: {item.msg}" for item in problems)
        ) from None
    outcome = determine(description, policies[args.policy])
    if args.json:
        print(json.dumps(outcome.as_dict(), indent=2))
    else:
        _print_determination(outcome, f"{description.name} {description.version}")
    return EXIT_OK


def policy_list(args: argparse.Namespace) -> int:
    """List the policy files (and, with a database, which is active)."""
    try:
        policies = load_policies(Path(args.policy_dir))
    except PolicyError as error:
        raise BadInput(str(error)) from None
    rows = [
        {
            "id": p.id,
            "version": p.version,
            "title": p.policy.title,
            "participation": p.policy.participation.value,
            "notice_period_days": p.policy.notice_period_days,
        }
        for p in policies.values()
    ]
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        for row in rows:
            print(
                f"{row['id']:<20} v{row['version']:<4} {row['participation']:<10} "
                f"notice {row['notice_period_days']:>3} days  {row['title']}"
            )
    return EXIT_OK


def policy_activate(args: argparse.Namespace) -> int:
    """Put a policy in force and re-determine every model (as an admin user)."""
    _setup_django()
    _call("activate_policy", args.policy_id, username=args.as_user)
    return EXIT_OK


def audit_verify(args: argparse.Namespace) -> int:
    """Recompute the audit hash chain; exit 1 and name the first broken link if any."""
    _setup_django()
    from clearinghouse.audit.services import first_broken_link

    broken = first_broken_link()
    if broken is None:
        print("audit chain intact")
        return EXIT_OK
    print(f"audit chain broken at event #{broken.sequence}: {broken.reason}")
    return EXIT_FINDINGS


def migrate(args: argparse.Namespace) -> int:
    """Create or upgrade the database schema."""
    _setup_django()
    _call("migrate", interactive=False, verbosity=1)
    return EXIT_OK


def createuser(args: argparse.Namespace) -> int:
    """Create a user with a role in an organisation."""
    _setup_django()
    _call(
        "create_program_user",
        args.username,
        role=args.role,
        organisation=args.organisation,
        email=args.email,
    )
    return EXIT_OK


def token_create(args: argparse.Namespace) -> int:
    """Issue an API token for a user and print it once."""
    _setup_django()
    _call("issue_token", args.username, name=args.name)
    return EXIT_OK


def serve(args: argparse.Namespace) -> int:
    """Serve the web app and API with waitress (production-grade WSGI, pure Python)."""
    _setup_django()
    _call("collectstatic", interactive=False, verbosity=0)
    from waitress import serve as waitress_serve

    from clearinghouse.wsgi import application

    print(f"Serving Clearinghouse on http://{args.host}:{args.port}/ (Ctrl-C to stop)", flush=True)
    waitress_serve(application, host=args.host, port=args.port, threads=args.threads)
    return EXIT_OK


def worker(args: argparse.Namespace) -> int:
    """Run a background worker for the database task queue."""
    _setup_django()
    _call("db_worker")
    return EXIT_OK


def demo(args: argparse.Namespace) -> int:
    """Migrate the embedded SQLite database, load demo data, print logins, and serve."""
    os.environ.pop("CLEARINGHOUSE_DATABASE_URL", None)
    _setup_django()
    _call("migrate", interactive=False, verbosity=0)
    from clearinghouse.demo.seed import DEMO_PASSWORD, seed

    users = seed()
    print(f"\nClearinghouse demo: http://{args.host}:{args.port}/")
    print(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for user in users:
        organisation = user.organisation.name if user.organisation else "platform"
        print(f"  {user.username:<18} {user.get_role_display():<30} {organisation}")
    if args.no_serve:
        return EXIT_OK
    return serve(args)


def _add_serve_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--threads", type=int, default=8)


def build_parser() -> argparse.ArgumentParser:
    """The verbs of DESIGN.md §8 that exist so far, each with --help."""
    parser = argparse.ArgumentParser(prog="clearinghouse", description=__doc__)
    verbs = parser.add_subparsers(dest="verb", required=True)

    def verb(
        name: str,
        handler: Callable[[argparse.Namespace], int],
        help_text: str,
        parent: argparse._SubParsersAction[argparse.ArgumentParser] = verbs,
    ) -> argparse.ArgumentParser:
        sub = parent.add_parser(name, help=help_text, description=handler.__doc__)
        sub.set_defaults(handler=handler)
        return sub

    demo_parser = verb("demo", demo, "run the demo on SQLite with demo data")
    _add_serve_options(demo_parser)
    demo_parser.add_argument("--no-serve", action="store_true", help="seed and exit")
    _add_serve_options(verb("serve", serve, "serve the web app and API"))
    verb("worker", worker, "run a background worker")
    verb("migrate", migrate, "create or upgrade the database")

    user_parser = verb("createuser", createuser, "create a user")
    user_parser.add_argument("username")
    user_parser.add_argument("--role", required=True)
    user_parser.add_argument("--organisation", help="organisation name (not for admins)")
    user_parser.add_argument("--email", default="")

    token = verbs.add_parser("token", help="API tokens").add_subparsers(
        dest="action", required=True
    )
    create = verb("create", token_create, "issue a token for a user", token)
    create.add_argument("username")
    create.add_argument("--name", default="cli")

    policy = verbs.add_parser("policy", help="covered-model policies").add_subparsers(
        dest="action", required=True
    )
    listing = verb("list", policy_list, "list policies", policy)
    listing.add_argument("--json", action="store_true")
    listing.add_argument("--policy-dir", default=str(BUILTIN_POLICY_DIR))
    check = verb("check", policy_check, "determine coverage of a model description", policy)
    check.add_argument("model", metavar="MODEL.json")
    check.add_argument("--policy", default="eo-2026", help="policy id (default: eo-2026)")
    check.add_argument("--policy-dir", default=str(BUILTIN_POLICY_DIR))
    check.add_argument("--json", action="store_true", help="print the determination as JSON")
    activate = verb("activate", policy_activate, "make a policy active", policy)
    activate.add_argument("policy_id")
    activate.add_argument("--as-user", required=True, help="the admin doing it (audited)")

    audit = verbs.add_parser("audit", help="the audit log").add_subparsers(
        dest="action", required=True
    )
    verb("verify", audit_verify, "verify the audit hash chain", audit)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one verb; bad input prints `error: …` and returns 2."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except BadInput as error:
        for line in str(error).splitlines():
            print(f"error: {line}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as error:
        from django.core.management.base import CommandError

        if isinstance(error, CommandError):
            print(f"error: {error}", file=sys.stderr)
            return EXIT_BAD_INPUT
        raise


if __name__ == "__main__":
    sys.exit(main())
