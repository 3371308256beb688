"""Run the review clock once, or forever every N seconds (for cron, systemd or a container)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from clearinghouse.reviews.services import run_clock


class Command(BaseCommand):
    """`clearinghouse clock [--every SECONDS]`."""

    help = "Flag overdue notices, escalate to admins, and send reviewer reminders."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--every", type=int, default=0, help="repeat every N seconds")

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            counts = run_clock()
            self.stdout.write(
                f"{counts['overdue']} newly overdue, {counts['reminders']} reminders sent"
            )
            if options["every"] <= 0:
                return
            time.sleep(options["every"])
