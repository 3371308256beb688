"""Put a policy in force and re-determine every registered model."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from clearinghouse.accounts.models import User
from clearinghouse.errors import InvalidInput
from clearinghouse.frontier.inputs import ActivatePolicy
from clearinghouse.frontier.services import activate_policy
from clearinghouse.inputs import parse


class Command(BaseCommand):
    """`clearinghouse policy activate ID --as-user ADMIN`."""

    help = "Make a policy active; every model is determined again and the history kept."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("policy_id")
        parser.add_argument("--username", required=True, help="the admin doing it")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"], is_active=True).first()
        if user is None:
            raise CommandError(f"no active user named {options['username']!r}")
        try:
            command = parse(ActivatePolicy, {"policy_id": options["policy_id"]})
            activation, count = activate_policy(user, command)
        except (InvalidInput, PermissionDenied) as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"{activation.policy_id} v{activation.policy_version} is active; "
            f"{count} models determined again"
        )
