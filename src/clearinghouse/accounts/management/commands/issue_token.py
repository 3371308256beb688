"""Issue an API token for a user and print it once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from clearinghouse.accounts.models import User
from clearinghouse.accounts.services import issue_token


class Command(BaseCommand):
    """`clearinghouse token create USER`."""

    help = "Issue an API token; it is printed once and stored only as a hash."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="cli")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"], is_active=True).first()
        if user is None:
            raise CommandError(f"no active user named {options['username']!r}")
        _, secret = issue_token(user, options["name"])
        self.stdout.write(secret)
