"""`clearinghouse createuser | token create | clock`: running an instance."""

from __future__ import annotations

import argparse

from ._common import EXIT_OK, call, setup_django


def createuser(args: argparse.Namespace) -> int:
    """Create a user with a role in an organisation."""
    setup_django()
    call(
        "create_program_user",
        args.username,
        role=args.role,
        organisation=args.organisation,
        email=args.email,
    )
    return EXIT_OK


def token_create(args: argparse.Namespace) -> int:
    """Issue an API token for a user and print it once."""
    setup_django()
    call("issue_token", args.username, name=args.name)
    return EXIT_OK


def clock(args: argparse.Namespace) -> int:
    """Run the review clock: overdue notices are flagged and escalated, reminders sent."""
    setup_django()
    call("review_clock", every=args.every)
    return EXIT_OK
