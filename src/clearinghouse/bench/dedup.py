"""`clearinghouse bench dedup`: dedup quality where the answer is known, CISA's CSAF advisories
grouped by CVE with every identifier hidden.

Without a mode the core regroups every document at once (`_regroup`): the ceiling of the
method. `--stream` sends the documents through the real intake service on a scratch database,
as reporters do (`_stream`), and scores what intake stored.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from clearinghouse.cli._common import EXIT_OK, BadInput, scratch_django

from ._corpus import cisa_dir

_TARGETS = "targets: groups F1 >= 0.90 at precision >= 0.95; candidates recall >= 0.95"


def _years(text: str) -> list[str]:
    """`2017-2020` or `2021,2022` as the year folders they name."""
    try:
        if "-" in text:
            first, last = (int(part) for part in text.split("-", 1))
            return [str(year) for year in range(first, last + 1)]
        return [str(int(part)) for part in text.split(",")]
    except ValueError:
        raise BadInput(f"--years: give a range such as 2017-2020 or a list, not {text!r}") from None


def _batch(text: str, documents: int) -> int:
    if text == "all":
        return max(documents, 1)
    if not text.isdigit() or int(text) < 1:
        raise BadInput(f"--batch: give a number of documents per submission or 'all', not {text!r}")
    return int(text)


def _stream(args: argparse.Namespace) -> int:
    """Send the scrubbed advisories through intake; print the groups' and candidates' scores."""
    import secrets

    from . import _stream

    root = cisa_dir(args.csaf)
    years = _years(args.years)
    paths = sorted(path for year in years for path in (root / year).glob("*.json"))
    if args.limit:
        paths = paths[: args.limit]
    if not paths:
        raise BadInput(f"{root}: no advisories for the years {args.years}")
    sent = _stream.documents(paths)
    batch = _batch(args.batch, len(sent))
    scratch_django(args.database, "clearinghouse-dedup-stream-")
    from django.conf import settings
    from django.db import connection

    from clearinghouse.accounts.models import Organisation, Role
    from clearinghouse.accounts.services import create_user
    from clearinghouse.intake.models import Report

    if Report.objects.exists():
        raise BadInput("the database already holds reports: point --database at an empty one")
    # One batch of every document may exceed the per-batch limits a deployment sets.
    settings.CLEARINGHOUSE_INTAKE_MAX_BATCH_DOCUMENTS = max(batch, 1000)
    settings.CLEARINGHOUSE_INTAKE_MAX_BATCH_BYTES = sum(len(d.data) for d in sent) + 1
    user = create_user(
        username="stream-reporter",
        password=secrets.token_urlsafe(),
        role=Role.DEVELOPER,
        organisation=Organisation.objects.create(name="Stream Lab", kind="lab"),
    )
    position, seconds = _stream.send(user, sent, batch)
    result = _stream.score(sent, position, seconds)
    how = "one document a submission" if batch == 1 else f"batches of {batch:,} documents"
    print(
        f"{len(sent):,} CISA documents ({years[0]}-{years[-1]}), {result.reports:,} reports, "
        f"{how}, on {connection.vendor}: {seconds:.1f} s, {result.reports / seconds:,.0f} "
        "reports/s (identifiers scrubbed; publication order)"
    )
    groups = result.groups
    print(
        f"groups (automatic links): precision {groups.precision:.3f}  recall "
        f"{groups.recall:.3f}  F1 {groups.f1:.3f}  ({groups.true_pairs:,} true pairs, "
        f"{groups.predicted_pairs:,} linked, {groups.correct_pairs:,} correct)"
    )
    for threshold, found in result.candidates.items():
        print(
            f"candidates >= {threshold:.2f}: precision {found.precision:.3f}  recall "
            f"{found.recall:.3f}  F1 {found.f1:.3f}  ({found.predicted_pairs:,} pairs)"
        )
    print(_TARGETS)
    return EXIT_OK


def bench_dedup(args: argparse.Namespace) -> int:
    """Regroup CISA's CSAF advisories with every identifier hidden; print pairwise P/R/F1.

    With --stream, send them through the real intake service instead and score what it stored.
    """
    if args.stream:
        return _stream(args)
    from ._regroup import benchmark_csaf

    paths = sorted(cisa_dir(args.csaf).rglob("*.json"))
    if args.limit:
        paths = paths[: args.limit]
    result = benchmark_csaf(paths, threshold=args.threshold)
    scores = result.scores
    print(
        f"{result.documents:,} documents, {result.reports:,} vulnerability items, "
        f"threshold {result.threshold}, {result.seconds:.1f} s"
    )
    print(
        f"pairs: {scores.true_pairs:,} true (same CVE), {scores.predicted_pairs:,} predicted, "
        f"{scores.correct_pairs:,} correct"
    )
    print(f"precision {scores.precision:.3f}  recall {scores.recall:.3f}  F1 {scores.f1:.3f}")
    return EXIT_OK


def add_verb(benches: Any, verb: Callable[..., argparse.ArgumentParser]) -> None:
    """Register `bench dedup`."""
    dedup = verb(benches, "dedup", bench_dedup, "dedup precision/recall on CISA CSAF")
    dedup.add_argument("--csaf", metavar="DIR", help="CISA CSAF advisories")
    dedup.add_argument("--threshold", type=float, default=0.95)
    dedup.add_argument("--limit", type=int, default=0, help="only the first N documents")
    dedup.add_argument(
        "--stream", action="store_true", help="send them through intake, one by one or batched"
    )
    dedup.add_argument("--years", default="2017-2020", help="--stream: the year folders sent")
    dedup.add_argument(
        "--batch", default="1", help="--stream: documents a submission (1, N or 'all')"
    )
    dedup.add_argument("--database", help="--stream: postgres://… of a dedicated, empty database")
