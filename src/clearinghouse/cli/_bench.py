"""`clearinghouse bench match`: the matcher's throughput against a naive univers loop.

Components are generated from the package names and versions the advisories themselves list,
so most lookups hit a package with advisories (the expensive case). No database involved.
"""

from __future__ import annotations

import argparse
import itertools
import os
import time
from pathlib import Path

from clearinghouse.core.formats.osv import Advisory, OSVFormatError, read_osv
from clearinghouse.core.matching import Component, evaluate
from clearinghouse.core.scanning import build_index

from ._common import EXIT_OK, BadInput


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
    source = args.advisories or os.environ.get("CLEARINGHOUSE_ADVISORIES")
    if not source or not Path(source).exists():
        raise BadInput("give --advisories PATH: an OSV directory, file or zip")
    try:
        advisories = list(read_osv(source, allow_short_commits=True))
    except OSVFormatError as error:
        raise BadInput(str(error)) from None
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
