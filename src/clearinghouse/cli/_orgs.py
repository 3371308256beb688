"""`clearinghouse org create | list`: a fresh install's tenants, set up without the admin site."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ._common import EXIT_OK, BadInput, setup_django

if TYPE_CHECKING:
    from . import Handler, Verbs


def add_verbs(
    verbs: Verbs, verb: Callable[[Verbs, str, Handler, str], argparse.ArgumentParser]
) -> None:
    """`org create NAME --kind K [--sector S | --track T]` and `org list`."""
    # The kinds and tracks are Django choices, checked by the typed input once Django is set
    # up: building the parser must not import Django (`policy check` runs without it).
    from clearinghouse.core.sectors import Sector

    create = verb(verbs, "create", create_organisation, "create an organisation")
    create.add_argument("name")
    create.add_argument(
        "--kind", required=True, help="lab, agency, vendor, operator, clearinghouse"
    )
    create.add_argument("--sector", choices=[sector.value for sector in Sector], help="operators")
    create.add_argument("--track", help="agencies: national_security or civilian")
    listing = verb(verbs, "list", list_organisations, "list organisations")
    listing.add_argument("--kind", help="only organisations of this kind")
    listing.add_argument("--limit", type=int, default=100, help="rows to show (1 to 500)")
    listing.add_argument("--offset", type=int, default=0, help="rows to skip")
    listing.add_argument("--json", action="store_true", help="print JSON")


def create_organisation(args: argparse.Namespace) -> int:
    """Create an organisation (audited as done by the install's operator)."""
    setup_django()
    from clearinghouse.accounts.inputs import NewOrganisation
    from clearinghouse.accounts.services import create_organisation
    from clearinghouse.inputs import parse

    command = parse(
        NewOrganisation,
        {"name": args.name, "kind": args.kind, "sector": args.sector, "track": args.track},
    )
    organisation = create_organisation(None, command)
    print(f"created {organisation.name} ({organisation.get_kind_display()})")
    return EXIT_OK


def list_organisations(args: argparse.Namespace) -> int:
    """The organisations, by name, a page at a time."""
    if not 1 <= args.limit <= 500 or args.offset < 0:
        raise BadInput("--limit is 1 to 500 and --offset at least 0")
    setup_django()
    from django.db.models import Count

    from clearinghouse.accounts.models import Organisation

    organisations = Organisation.objects.order_by("name")
    if args.kind:
        organisations = organisations.filter(kind=args.kind)
    page = organisations.annotate(users=Count("members"))[args.offset : args.offset + args.limit]
    rows: list[dict[str, Any]] = [
        {"name": o.name, "kind": o.kind, "sector": o.sector, "track": o.track, "users": o.users}
        for o in page
    ]
    if args.json:
        print(json.dumps({"items": rows, "count": organisations.count()}, indent=2))
    else:
        for row in rows:
            detail = row["sector"] or row["track"]
            kind = f"{row['kind']} / {detail}" if detail else row["kind"]
            print(f"{row['name']}\t{kind}\t{row['users']} users")
    return EXIT_OK
