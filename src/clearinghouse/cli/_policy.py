"""`clearinghouse policy …`: list, check a description file (no database), activate."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from pydantic import ValidationError

from clearinghouse.core.policy import (
    Policy,
    PolicyError,
    determine,
    load_policies,
    parse_description,
)

from ._common import (
    EXIT_OK,
    BadInput,
    call,
    field_errors,
    print_determination,
    read_json,
    setup_django,
)


def _load(directory: str) -> dict[str, Policy]:
    try:
        return load_policies(Path(directory))
    except PolicyError as error:
        raise BadInput(str(error)) from None


def check(args: argparse.Namespace) -> int:
    """Determine a model description file's coverage under a policy, without a database."""
    policies = _load(args.policy_dir)
    if args.policy not in policies:
        raise BadInput(f"unknown policy {args.policy!r}; available: {', '.join(sorted(policies))}")
    path = Path(args.model)
    try:
        description = parse_description(read_json(path))
    except ValidationError as error:
        raise field_errors(str(path), [dict(item) for item in error.errors()]) from None
    outcome = determine(description, policies[args.policy]).as_dict()
    if args.json:
        print(json.dumps(outcome, indent=2))
    else:
        print_determination(outcome, f"{description.name} {description.version}")
    return EXIT_OK


def listing(args: argparse.Namespace) -> int:
    """List the policy files with their notice period and participation."""
    policies = _load(args.policy_dir)
    rows = [
        {
            "id": p.id,
            "version": p.version,
            "title": p.policy.title,
            "participation": p.policy.participation.value,
            "notice_period_days": p.policy.notice_period_days,
        }
        for p in policies.values()
    ]
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        for row in rows:
            print(
                f"{row['id']:<20} v{row['version']:<4} {row['participation']:<10} "
                f"notice {row['notice_period_days']:>3} days  {row['title']}"
            )
    return EXIT_OK


def activate(args: argparse.Namespace) -> int:
    """Put a policy in force and re-determine every model (as an admin user)."""
    setup_django()
    call("activate_policy", args.policy_id, username=args.as_user)
    return EXIT_OK
