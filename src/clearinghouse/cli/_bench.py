"""`clearinghouse bench …`: registers every benchmark of the `clearinghouse.bench` package."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any


def add_verbs(
    verbs: Any,
    group: Callable[[Any, str, str], Any],
    verb: Callable[..., argparse.ArgumentParser],
) -> None:
    """`bench match|rematch|intake|dedup|load|pages|assess|audit`.

    Imported here, not at the top: a bench module reads `cli._common`, which imports this.
    """
    from clearinghouse.bench import assess, audit, dedup, intake, load, match, pages, rematch

    benches = group(verbs, "bench", "benchmarks")
    for bench in (match, rematch, intake, dedup, load, pages, assess, audit):
        bench.add_verb(benches, verb)
