"""Load an OSV feed (file, directory tree or zip; JSON or YAML) into the advisory store."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn

from clearinghouse.accounts.models import User
from clearinghouse.advisories.services import ImportReport, import_osv


class Command(BaseCommand):
    """`clearinghouse import osv PATH`; exits with CommandError(returncode=2) if any was refused."""

    help = "Import OSV advisories; re-importing updates only records whose `modified` is newer."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path")
        parser.add_argument("--username", help="the user doing it (audited); default: system")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        if not path.exists():
            raise CommandError(f"{path}: no such file or directory")
        actor = None
        if options.get("username"):
            actor = User.objects.filter(username=options["username"], is_active=True).first()
            if actor is None:
                raise CommandError(f"no active user named {options['username']!r}")
        console = Console(stderr=True)
        columns = (
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
        )
        with Progress(*columns, console=console, transient=True) as progress:
            bar = progress.add_task(f"importing {path.name}", total=None)
            try:
                report = import_osv(path, actor=actor, progress=lambda _: progress.advance(bar))
            except PermissionDenied as error:
                raise CommandError(str(error)) from None
        self._summarise(report)
        if report.refused:
            raise CommandError(f"{len(report.refused)} records refused", returncode=2)

    def _summarise(self, report: ImportReport) -> None:
        for source, reason in report.refused:
            self.stderr.write(f"error: {source}: {reason}")
        if report.lenient:
            self.stdout.write(
                f"accepted {len(report.lenient)} records with abbreviated GIT commit hashes "
                f"(an OSV schema rule; GIT ranges are not evaluated): {', '.join(report.lenient)}"
            )
        self.stdout.write(
            f"{report.new} new, {report.updated} updated, {report.unchanged} unchanged, "
            f"{report.withdrawn} withdrawn, {len(report.refused)} refused"
        )
