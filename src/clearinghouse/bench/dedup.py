"""`clearinghouse bench dedup`: dedup quality where the answer is known, CISA's CSAF advisories
grouped by CVE with every identifier hidden.

Without a mode the core regroups every document at once (`_regroup`): the ceiling of the
method. `--stream` sends the documents through the real intake service on a scratch database,
as reporters do (`_stream`), and scores what intake stored. `--scale` times dedup per new
report with 10⁴, 10⁵ and 10⁶ synthetic reports stored (`_scale`).
"""

from __future__ import annotations

import argparse
import itertools
import time
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

    from clearinghouse.intake.models import Report

    if Report.objects.exists():
        raise BadInput("the database already holds reports: point --database at an empty one")
    # One batch of every document may exceed the per-batch limits a deployment sets.
    settings.CLEARINGHOUSE_INTAKE_MAX_BATCH_DOCUMENTS = max(batch, 1000)
    settings.CLEARINGHOUSE_INTAKE_MAX_BATCH_BYTES = sum(len(d.data) for d in sent) + 1
    position, seconds = _stream.send(_lab_user("stream-reporter"), sent, batch)
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


def _lab_user(name: str) -> Any:
    """A developer of a new lab: who sends the bench's documents."""
    import secrets

    from clearinghouse.accounts.models import Organisation, Role
    from clearinghouse.accounts.services import create_user

    return create_user(
        username=name,
        password=secrets.token_urlsafe(),
        role=Role.DEVELOPER,
        organisation=Organisation.objects.create(name=f"{name} lab", kind="lab"),
    )


def _scale(args: argparse.Namespace) -> int:
    """Time the dedup step per new report at each store size; print medians and growth."""
    from . import _scale, _stream

    try:
        sizes = _scale.sizes(args.sizes)
    except ValueError:
        raise BadInput(
            f"--sizes: give growing positive counts, e.g. 1e4,1e5,1e6, not {args.sizes!r}"
        ) from None
    if args.samples < 1:
        raise BadInput("--samples: give at least 1")
    root = cisa_dir(args.csaf)
    made_from = _scale.corpus(
        sorted(root.glob("201[7-9]/*.json")) + sorted(root.glob("2020/*.json"))
    )
    held_out = sorted(root.glob("202[12]/*.json"))
    if not made_from or not held_out:
        raise BadInput(f"{root}: needs the 2017-2020 and 2021-2022 year folders")
    new = [document.data for document in _stream.documents(held_out)[-args.samples :]]
    scratch_django(args.database, "clearinghouse-dedup-scale-")
    from django.db import connection

    from clearinghouse.intake.models import Report

    if Report.objects.exists():
        raise BadInput("the database already holds reports: point --database at an empty one")
    seeder, user = _lab_user("scale-store"), _lab_user("scale-reporter")
    synthesiser = _scale.Synthesiser(made_from, args.seed)
    print(
        f"database: {connection.vendor}; synthetic reports from {len(made_from):,} CISA items "
        f"(2017-2020); {len(new)} held-out documents (2021-2022) timed at each size"
    )
    timed: list[_scale.Timed] = []
    stored = 0
    for size in sizes:
        started = time.perf_counter()
        _scale.grow(synthesiser.make, stored, size, seeder)
        stored = size
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        filled = time.perf_counter() - started
        _scale.time_submissions(user, new[:1], stored)  # warm the plan cache, untimed
        result = _scale.time_submissions(user, new, stored)
        timed.append(result)
        print(
            f"{size:>10,} stored ({filled:.0f} s to add): dedup per new report median "
            f"{_scale.median(result.dedup_ms):.1f} ms, max {max(result.dedup_ms):.1f} ms; "
            f"whole submission per report median {_scale.median(result.submission_ms):.1f} ms"
        )
    for before, after in itertools.pairwise(timed):
        growth = _scale.median(after.dedup_ms) / max(_scale.median(before.dedup_ms), 1e-9)
        print(
            f"growth {before.stored:,} -> {after.stored:,} ({after.stored / before.stored:.0f}x "
            f"reports): dedup median {growth:.2f}x"
        )
    print("targets: median <= 20 ms at 10^6 on PostgreSQL; < 2x per 10x more reports")
    return EXIT_OK


def bench_dedup(args: argparse.Namespace) -> int:
    """Regroup CISA's CSAF advisories with every identifier hidden; print pairwise P/R/F1.

    With --stream, send them through the real intake service instead and score what it stored;
    with --scale, time dedup per new report as the store grows.
    """
    if args.stream:
        return _stream(args)
    if args.scale:
        return _scale(args)
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
    dedup.add_argument("--scale", action="store_true", help="time dedup as the store grows")
    dedup.add_argument(
        "--sizes", default="10000,100000,1000000", help="--scale: stored reports at each step"
    )
    dedup.add_argument("--samples", type=int, default=30, help="--scale: documents timed a size")
    dedup.add_argument("--seed", type=int, default=12, help="--scale: the synthetic store's seed")
    dedup.add_argument(
        "--database", help="--stream, --scale: postgres://… of a dedicated, empty database"
    )
