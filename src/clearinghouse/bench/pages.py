"""`clearinghouse bench pages`: queries and time per request of the main lists, 1 % vs 100 %.

Fills a scratch database (`--database`, else CLEARINGHOUSE_BENCH_DATABASE_URL, else a
temporary SQLite file) to 1 % of the target, measures every list through Django's test
client as a signed-in user, grows it to the target (10⁵ reports, 10⁴ assets, 10⁶ components
at `--scale 1`) and measures again: a bounded list keeps its queries and its time.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from clearinghouse.cli._common import EXIT_OK, BadInput, scratch_django


def bench_pages(args: argparse.Namespace) -> int:
    """Print each list's queries, baseline and target times, and their ratio."""
    if not 0 < args.scale <= 10:
        raise BadInput("--scale: give a fraction of the target in (0, 10]")
    if not 1 <= args.repeat <= 100:
        raise BadInput("--repeat: give 1 to 100 requests per list")
    scratch_django(args.database, "ch-bench-pages-")
    from clearinghouse.accounts.models import Organisation

    from . import _page_store

    if Organisation.objects.exists():
        raise BadInput("the database is not empty: point --database at a dedicated, empty one")
    _page_store.run(args.scale, args.repeat, print)
    return EXIT_OK


def add_verb(benches: Any, verb: Callable[..., argparse.ArgumentParser]) -> None:
    """Register `bench pages`."""
    pages = verb(benches, "pages", bench_pages, "list queries and times as the store grows")
    pages.add_argument("--database", help="postgres://… of a dedicated, empty database")
    pages.add_argument(
        "--scale", type=float, default=1.0, help="fraction of 10⁵ reports/10⁴ assets/10⁶ components"
    )
    pages.add_argument("--repeat", type=int, default=5, help="timed requests per list")
