"""`clearinghouse createuser | token create | totp reset | clock`: running an instance."""

from __future__ import annotations

import argparse

from ._common import EXIT_OK, BadInput, call, setup_django


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


def totp_reset(args: argparse.Namespace) -> int:
    """Remove a user's authenticator (a lost phone): they set up a new one at the next sign-in.

    Audited as done by the install's operator, like the other commands run on the server.
    """
    setup_django()
    from clearinghouse.accounts.models import User
    from clearinghouse.accounts.services import reset_second_factor

    user = User.objects.filter(username=args.username).first()
    if user is None:
        raise BadInput(f"no user named {args.username!r}")
    reset_second_factor(None, user)
    print(f"reset the authenticator of {user.username}: they set up a new one at the next sign-in")
    return EXIT_OK
