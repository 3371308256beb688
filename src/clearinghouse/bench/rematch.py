"""`clearinghouse bench rematch`: how long an advisory the store has never seen takes to list
every affected registered component (the re-match task's path), as the estate grows.

A large estate is registered in a dedicated database (`_estate`); the lookup and the whole
re-match task are timed at each size.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import statistics
from collections.abc import Callable
from typing import Any

from clearinghouse.cli._common import EXIT_OK, BadInput, call, setup_django
from clearinghouse.core.matching import AdvisoryIndex

from ._corpus import osv_advisories


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(float(part)) for part in text.split(",")]
    except ValueError:
        raise BadInput(f"--sizes: not a list of numbers: {text!r}") from None
    if not sizes or any(b <= a for a, b in itertools.pairwise([0, *sizes])):
        raise BadInput("--sizes: give growing positive component counts, e.g. 100000,1000000")
    return sizes


def rematch(args: argparse.Namespace) -> int:
    """Time how long a new advisory takes to list every affected registered component.

    Registers the estate in steps (--sizes), and at each size times the lookup for
    --samples advisories of the corpus presented as new; prints medians and growth.
    """
    sizes = _sizes(args.sizes)
    if not 0 < args.hot_fraction <= 1:
        raise BadInput("--hot-fraction: give a fraction in (0, 1]")
    if args.samples < 1:
        raise BadInput("--samples: give at least 1")
    advisories = [a for a in osv_advisories(args) if not a.is_withdrawn]
    url = args.database or os.environ.get("CLEARINGHOUSE_DATABASE_URL")
    if url:
        if not url.startswith(("postgres://", "postgresql://")):
            raise BadInput("--database: give a postgres://… URL")
        os.environ["CLEARINGHOUSE_DATABASE_URL"] = url
    setup_django()
    from django.db import DatabaseError, connection

    from clearinghouse.assets.models import Asset

    from . import _estate as benchmark

    try:
        call("migrate", verbosity=0)
    except DatabaseError as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise BadInput(f"cannot use the database: {reason}") from None
    if Asset.objects.exclude(organisation__name__startswith=benchmark.PREFIX).exists():
        raise BadInput("the database holds real assets: point --database at a dedicated one")
    corpus = benchmark.corpus_versions(advisories)
    if not corpus:
        raise BadInput("the advisories list no package versions to build components from")
    named = [a for a in advisories if AdvisoryIndex.keys_for(a)]
    sampler = random.Random(args.seed + 1)  # noqa: S311 (a reproducible sample)
    new = sampler.sample(named, min(args.samples, len(named)))
    print(
        f"database: {connection.vendor} {connection.settings_dict['NAME']}; "
        f"{len(advisories)} advisories over {len(corpus)} packages; "
        f"{args.hot_fraction:.0%} of components under those packages"
        + (f" (at most {args.hot_components:,})" if args.hot_components is not None else "")
    )
    benchmark.clear_estate()
    stored = benchmark.load_store(advisories, {advisory.id for advisory in new})
    new = benchmark.unseen(new)
    if not new:
        raise BadInput("every sampled advisory is already in the store: use an empty database")
    print(f"advisory store: {stored:,} records added (the {len(new)} timed ones left out)")
    rows = benchmark.estate_rows(
        corpus, sizes[-1], args.hot_fraction, args.seed, hot_limit=args.hot_components
    )
    medians: list[float] = []
    registered = 0
    try:
        for size in sizes:
            seconds = benchmark.grow_estate(rows, size - registered)
            registered = size
            print(f"registered {size:,} components ({seconds:.1f} s to load)")
            benchmark.list_affected(new[0])  # warm the connection and the plan cache
            lookups = [benchmark.list_affected(advisory) for advisory in new]
            median = statistics.median(lookup.seconds for lookup in lookups)
            medians.append(median)
            candidates = statistics.median(lookup.candidates for lookup in lookups)
            affected = statistics.median(lookup.affected for lookup in lookups)
            slowest = max(lookup.seconds for lookup in lookups)
            print(
                f"  new advisory -> affected components: median {median * 1000:.1f} ms, "
                f"max {slowest * 1000:.1f} ms over {len(lookups)} advisories "
                f"(median {candidates:,.0f} components under its packages, "
                f"{affected:,.0f} affected)"
            )
            benchmark.prematch(new)
            task_times = [benchmark.time_rematch(advisory) for advisory in new]
            print(
                f"  re-match task end to end (findings written, operators notified, audited): "
                f"median {statistics.median(task_times) * 1000:.1f} ms, "
                f"max {max(task_times) * 1000:.1f} ms"
            )
            if args.explain and connection.vendor == "postgresql":
                print(benchmark.query_plan(new[0]))
    finally:
        if not args.keep:
            benchmark.clear_estate()
    if len(medians) > 1:
        print(f"growth {sizes[0]:,} -> {sizes[-1]:,} components: {medians[-1] / medians[0]:.2f}x")
    return EXIT_OK


def add_verb(benches: Any, verb: Callable[..., argparse.ArgumentParser]) -> None:
    """Register `bench rematch`."""
    rematch_ = verb(benches, "rematch", rematch, "a new advisory's affected components")
    rematch_.add_argument("--advisories", metavar="PATH", help="OSV directory, file or zip")
    rematch_.add_argument("--database", help="postgres://… (or CLEARINGHOUSE_DATABASE_URL)")
    rematch_.add_argument("--sizes", default="100000,1000000", help="component counts")
    rematch_.add_argument("--samples", type=int, default=15, help="new advisories timed")
    rematch_.add_argument("--hot-fraction", type=float, default=0.1)
    rematch_.add_argument("--hot-components", type=int, help="cap on components that can match")
    rematch_.add_argument("--seed", type=int, default=6)
    rematch_.add_argument("--explain", action="store_true", help="print the query plan")
    rematch_.add_argument("--keep", action="store_true", help="keep the estate afterwards")
