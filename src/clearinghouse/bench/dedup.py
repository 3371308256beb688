"""`clearinghouse bench dedup`: dedup quality where the answer is known, CISA's CSAF advisories
grouped by CVE with every identifier hidden.

Without a mode the core regroups every document at once (`_regroup`): the ceiling of the
method. `--stream` sends the documents through the real intake service, as reporters do.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from clearinghouse.cli._common import EXIT_OK

from ._corpus import cisa_dir


def bench_dedup(args: argparse.Namespace) -> int:
    """Regroup CISA's CSAF advisories with every identifier hidden; print pairwise P/R/F1."""
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
