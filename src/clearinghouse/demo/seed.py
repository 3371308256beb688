"""Load the demo organisations, users and models through the same services as real input."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from clearinghouse.accounts.models import Organisation, Role, User
from clearinghouse.accounts.services import create_user
from clearinghouse.frontier.models import AIModel
from clearinghouse.frontier.services import register_model

DEMO_PASSWORD = "demo-clearinghouse"  # noqa: S105  (printed on purpose; serves on 127.0.0.1)
_DATA = Path(__file__).with_name("organisations.toml")


def _organisation(entry: dict[str, Any]) -> Organisation:
    organisation, _ = Organisation.objects.get_or_create(
        name=entry["name"],
        defaults={
            "kind": entry["kind"],
            "sector": entry.get("sector", ""),
            "track": entry.get("track", ""),
        },
    )
    return organisation


@transaction.atomic
def seed(today: dt.date | None = None) -> list[User]:
    """Create whatever demo data is missing and return the demo users; safe to run again."""
    data = tomllib.loads(_DATA.read_text(encoding="utf-8"))
    today = today or timezone.now().date()
    users: list[User] = []
    for entry in data["organisation"]:
        organisation = _organisation(entry)
        for person in entry["users"]:
            user = User.objects.filter(username=person["username"]).first()
            if user is None:
                role = Role(person["role"])
                user = create_user(
                    username=person["username"],
                    password=DEMO_PASSWORD,
                    role=role,
                    organisation=organisation,
                    email=f"{person['username']}@example.org",
                )
            users.append(user)
    for entry in data["model"]:
        lab = Organisation.objects.get(name=entry["lab"])
        if AIModel.objects.filter(
            organisation=lab, name=entry["name"], version=entry["version"]
        ).exists():
            continue
        developer = lab.members.get(role=Role.DEVELOPER)
        declaration = {k: v for k, v in entry.items() if k not in {"lab", "release_in_days"}}
        declaration["planned_release_date"] = today + dt.timedelta(days=entry["release_in_days"])
        register_model(developer, declaration)
    return users
