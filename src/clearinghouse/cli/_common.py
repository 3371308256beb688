"""What every verb shares: exit codes, the bad-input error, Django set-up, printing outcomes."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

EXIT_OK, EXIT_FINDINGS, EXIT_BAD_INPUT = 0, 1, 2
MAX_INPUT_FILE_BYTES = 1024 * 1024


class BadInput(Exception):
    """Input the command cannot use; printed as `error: …` lines, exit 2."""


def setup_django() -> None:
    """Configure Django only for verbs that need the database (once per process).

    `django.setup()` configures logging again on every call, binding the console handler to
    whatever `sys.stderr` is then; a second verb run in-process must not re-bind it.
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clearinghouse.settings")
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()
        _refuse_unusable_settings()


def _refuse_unusable_settings() -> None:
    """A setting that cannot be used at all (the `configuration` checks) stops every verb with
    one `error: configuration: …` line each, before it works with half a configuration."""
    from django.core import checks
    from django.core.exceptions import ImproperlyConfigured

    from clearinghouse.security.checks import CONFIGURATION

    problems = [p for p in checks.run_checks(tags=[CONFIGURATION]) if p.is_serious()]
    if problems:
        raise ImproperlyConfigured("\n".join(f"{p.msg} ({p.id}; hint: {p.hint})" for p in problems))


def scratch_django(database: str | None, prefix: str) -> str:
    """Set Django up on a benchmark's database, migrated, with a fresh data directory.

    The database: `database`, else CLEARINGHOUSE_BENCH_DATABASE_URL, else a temporary SQLite
    one in the data directory (returned; subprocesses inherit the environment).
    """
    import tempfile

    url = database or os.environ.get("CLEARINGHOUSE_BENCH_DATABASE_URL")
    scratch = tempfile.mkdtemp(prefix=prefix)
    os.environ["CLEARINGHOUSE_DATA_DIR"] = scratch
    if url:
        os.environ["CLEARINGHOUSE_DATABASE_URL"] = url
    else:
        os.environ.pop("CLEARINGHOUSE_DATABASE_URL", None)
    setup_django()
    call("migrate", verbosity=0)
    return scratch


def call(command: str, *args: str, **options: object) -> None:
    """Run a management command in-process."""
    from django.core.management import call_command

    call_command(command, *args, **options)


def read_json(path: Path) -> Any:
    """Read a small JSON input file, refusing missing, oversized and malformed files."""
    if not path.is_file():
        raise BadInput(f"{path}: no such file")
    if path.stat().st_size > MAX_INPUT_FILE_BYTES:
        raise BadInput(f"{path}: larger than {MAX_INPUT_FILE_BYTES} bytes")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BadInput(f"{path}: not valid JSON ({error})") from None


def field_errors(source: str, errors: list[dict[str, Any]]) -> BadInput:
    """One line per invalid field, as the API reports them (`loc`, `msg`)."""
    lines = []
    for item in errors:
        where = ".".join(str(part) for part in item["loc"] if part not in ("body", "payload"))
        lines.append(f"{source}: {where or 'input'}: {item['msg'].removeprefix('Value error, ')}")
    return BadInput("\n".join(lines))


def print_determination(outcome: dict[str, Any], source: str) -> None:
    """A determination (as `Determination.as_dict()` or the API gives it) as a table."""
    from rich.console import Console
    from rich.table import Table

    console = Console()
    verdict = "[bold red]COVERED[/]" if outcome["covered"] else "[bold]not covered[/]"
    console.print(f"{source}: {verdict} under {outcome['policy_id']} v{outcome['policy_version']}")
    table = Table("criterion", "met", "reason")
    for reason in outcome["reasons"]:
        mark = "yes" if reason["met"] else ("disabled" if not reason["enabled"] else "no")
        table.add_row(reason["label"], mark, reason["detail"])
    console.print(table)


def add_page_options(parser: Any) -> None:
    """`--limit` and `--offset` for a verb that lists: lists are read a page at a time."""
    parser.add_argument("--limit", type=int, default=50, help="rows to show (1 to 500)")
    parser.add_argument("--offset", type=int, default=0, help="rows to skip")


def page_query(args: Any) -> str:
    """The API query of the page `--limit`/`--offset` ask for (the server checks the range)."""
    return f"?limit={args.limit}&offset={args.offset}"


def page_summary(args: Any, page: dict[str, Any]) -> str:
    """Which rows of how many a printed page holds: `1-50 of 120`."""
    shown = len(page["items"])
    if not shown:
        return f"none of {page['count']}"
    return f"{args.offset + 1}-{args.offset + shown} of {page['count']}"
