"""`clearinghouse bench match`: the matcher's throughput against a naive loop, no database.

Components are generated from the package names and versions the advisories themselves list,
so most lookups hit a package with advisories (the expensive case).
"""

from __future__ import annotations

import argparse
import itertools
import time
from collections.abc import Callable
from typing import Any

from clearinghouse.cli._common import EXIT_OK, BadInput
from clearinghouse.core.formats.osv import Advisory
from clearinghouse.core.matching import Component, evaluate
from clearinghouse.core.scanning import build_index

from ._corpus import osv_advisories


def _components(advisories: list[Advisory], count: int) -> list[Component]:
    seen: list[Component] = []
    for advisory in advisories:
        for affected in advisory.affected:
            package = affected.package
            if package is None:
                continue
            versions = list(affected.versions[:3])
            versions += [event.version for r in affected.ranges for event in r.events][:3]
            seen += [Component(package.ecosystem, package.name, v) for v in versions if v != "0"]
    if not seen:
        raise BadInput("the advisories list no package versions to build components from")
    return list(itertools.islice(itertools.cycle(seen), count))


def match(args: argparse.Namespace) -> int:
    """Print the engine's components/s and its speed-up over checking every advisory in turn."""
    advisories = osv_advisories(args)
    components = _components(advisories, args.components)
    started = time.perf_counter()
    index = build_index(advisories)
    for component in components[: len(components) // 10 or 1]:  # compile every package once
        index.match(component)
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    engine_matches = sum(len(index.match(component)) for component in components)
    engine_rate = len(components) / (time.perf_counter() - started)
    sample = components[: args.naive_sample]
    started = time.perf_counter()
    for component in sample:
        for advisory in advisories:
            evaluate(advisory, component)
    naive_rate = len(sample) / (time.perf_counter() - started)
    print(f"advisories: {len(advisories)}; index built and compiled in {loaded:.2f} s")
    print(
        f"engine: {len(components):,} components, {engine_matches:,} matches, "
        f"{engine_rate:,.0f} components/s (one core)"
    )
    print(f"naive loop (every advisory per component, univers): {naive_rate:,.1f} components/s")
    print(f"speed-up: {engine_rate / naive_rate:,.0f}x")
    return EXIT_OK


def add_verb(benches: Any, verb: Callable[..., argparse.ArgumentParser]) -> None:
    """Register `bench match`."""
    bench = verb(benches, "match", match, "matcher throughput")
    bench.add_argument("--advisories", metavar="PATH", help="OSV directory, file or zip")
    bench.add_argument("--components", type=int, default=200_000)
    bench.add_argument("--naive-sample", type=int, default=200)
