"""`clearinghouse bench audit`: a signed audit append against the signature alone."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from clearinghouse.cli._common import EXIT_OK, BadInput, setup_django


class _RolledBack(Exception):
    """Raised to roll the benchmark's appends back."""


def bench(args: argparse.Namespace) -> int:
    """Time single-event appends (each signed) against the signature alone, in one run.

    The appends run in a transaction that is rolled back, so the chain is left as it was.
    """
    import time

    if args.appends < 1:
        raise BadInput("--appends must be at least 1")
    setup_django()
    from django.db import transaction

    from clearinghouse.audit import signing
    from clearinghouse.audit.models import AuditChainHead
    from clearinghouse.audit.services import Entry, append
    from clearinghouse.core.checkpoints import sign

    key = signing.signing_key()
    try:
        with transaction.atomic():
            subject, _ = AuditChainHead.objects.get_or_create(
                pk=1, defaults={"last_sequence": 0, "last_hash": "0" * 64}
            )
            started = time.perf_counter()
            for number in range(args.appends):
                append([Entry(None, "bench.appended", subject, after={"n": number})])
            appending = (time.perf_counter() - started) / args.appends
            raise _RolledBack
    except _RolledBack:
        pass
    started = time.perf_counter()
    for number in range(args.appends):
        sign(key, number, "0" * 64)
    signing_alone = (time.perf_counter() - started) / args.appends
    print(f"audit append (one event, signed): {appending * 1000:.3f} ms each")
    print(f"  Ed25519 signature alone:        {signing_alone * 1000:.3f} ms each")
    print(f"  signature share of an append:   {signing_alone / appending:.1%}")
    return EXIT_OK


def add_verb(benches: Any, verb: Callable[..., Any]) -> None:
    """Register `bench audit`."""
    verb(benches, "audit", bench, "signed audit appends").add_argument(
        "--appends", type=int, default=500
    )
