"""Create a user with a role in an organisation; the password is read from the terminal or env."""

from __future__ import annotations

import getpass
import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from clearinghouse.accounts.models import Organisation, Role
from clearinghouse.accounts.services import create_user
from clearinghouse.errors import Conflict, InvalidInput


class Command(BaseCommand):
    """`clearinghouse createuser NAME --role ROLE --organisation ORG`."""

    help = "Create a user; password from CLEARINGHOUSE_PASSWORD or a prompt."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=[role.value for role in Role])
        parser.add_argument("--organisation", default=None)
        parser.add_argument("--email", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = None
        if options["organisation"]:
            organisation = Organisation.objects.filter(name=options["organisation"]).first()
            if organisation is None:
                raise CommandError(f"no organisation named {options['organisation']!r}")
        password = os.environ.get("CLEARINGHOUSE_PASSWORD") or getpass.getpass("Password: ")
        try:
            user = create_user(
                username=options["username"],
                password=password,
                role=Role(options["role"]),
                organisation=organisation,
                email=options["email"],
            )
        except InvalidInput as error:
            raise CommandError("; ".join(item.msg for item in error.errors)) from None
        except Conflict as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"created {user.username} ({user.get_role_display()})")
