"""`clearinghouse bench …`: registers every benchmark of the `clearinghouse.bench` package."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from clearinghouse.bench import assess, audit, dedup, intake, load, match, pages, rematch

_BENCHES = (match, rematch, intake, dedup, load, pages, assess, audit)


def add_verbs(
    verbs: Any,
    group: Callable[[Any, str, str], Any],
    verb: Callable[..., argparse.ArgumentParser],
) -> None:
    """`bench match|rematch|intake|dedup|load|pages|assess|audit`."""
    benches = group(verbs, "bench", "benchmarks")
    for bench in _BENCHES:
        bench.add_verb(benches, verb)
