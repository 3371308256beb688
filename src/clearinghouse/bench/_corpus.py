"""The corpora benches read: OSV advisories and CISA's CSAF advisories, from `../shared/data`.

A user's clone has no `../shared`: each bench takes a path (`--advisories`, `--csaf`) and says
what it needs when the default is missing.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from clearinghouse.cli._common import BadInput
from clearinghouse.core.formats.osv import Advisory, OSVFormatError, read_osv


def cisa_dir(given: str | None) -> Path:
    """CISA's CSAF advisories: `--csaf DIR`, else `csaf/cisa` of the shared data."""
    default = Path(os.environ.get("CLEARINGHOUSE_SHARED_DATA", "../shared/data")) / "csaf/cisa"
    root = Path(given) if given else default
    if not root.is_dir():
        raise BadInput(f"{root}: no such directory (give --csaf DIR: CISA CSAF advisories)")
    return root


def osv_advisories(args: argparse.Namespace) -> list[Advisory]:
    """The OSV advisories of `--advisories` (or CLEARINGHOUSE_ADVISORIES)."""
    source = args.advisories or os.environ.get("CLEARINGHOUSE_ADVISORIES")
    if not source or not Path(source).exists():
        raise BadInput("give --advisories PATH: an OSV directory, file or zip")
    try:
        return list(read_osv(source, allow_short_commits=True))
    except OSVFormatError as error:
        raise BadInput(str(error)) from None


def product_ids(value: Any) -> Iterator[str]:
    """Every product and group id a CSAF product tree defines."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key in {"product_id", "group_id"} and isinstance(item, str):
                yield item
            else:
                yield from product_ids(item)
    elif isinstance(value, list):
        for item in value:
            yield from product_ids(item)
