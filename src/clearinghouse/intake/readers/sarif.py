"""SARIF 2.1.0 logs (scanners, AI labs): one item per result, across every run."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from clearinghouse.core.formats import Location
from clearinghouse.core.formats.sarif import SarifError, SarifFinding, parse_sarif
from clearinghouse.core.scoring.dedup import ProductRef

from ._base import TITLE_CHARS, Item, Source, check_count, clean
from ._errors import DocumentError
from ._registry import register


@register
class SarifReader:
    """A SARIF log: each result with its rule's title, CWE tag, locations and tool."""

    name = "sarif"
    label = "SARIF 2.1.0"
    yaml = False
    distinct_items = False

    def recognises(self, tree: Any) -> bool:
        """`runs`, with SARIF's `version` or `$schema`."""
        return (
            isinstance(tree, Mapping)
            and "runs" in tree
            and ("version" in tree or "sarif" in str(tree.get("$schema")))
        )

    def read(self, source: Source) -> list[Item]:
        """Check the parts of the log a finding is built from; one item per result."""
        runs = _runs(source.tree)
        check_count(sum(len(results) for results in runs), source.max_items, "runs")
        try:
            findings = parse_sarif(source.tree)
        except SarifError as error:
            raise DocumentError.located(error.located, _item_of(runs)) from None
        if not findings:
            raise DocumentError.at(("runs",), "the log has no results")
        return [_item(number, finding) for number, finding in enumerate(findings)]


def _runs(tree: Any) -> list[list[Any]]:
    """Each run's results (an empty list where a run or its results are malformed)."""
    runs = tree.get("runs") if isinstance(tree, Mapping) else None
    if not isinstance(runs, list):
        return []
    return [
        results
        if isinstance(run, Mapping) and isinstance(results := run.get("results"), list)
        else []
        for run in runs
    ]


def _item_of(runs: list[list[Any]]) -> Callable[[Location], int | None]:
    """Results are numbered across runs: run 1's first result follows run 0's last."""

    def item_of(location: Location) -> int | None:
        match location:
            case ("runs", int(run), "results", int(result), *_) if run < len(runs):
                return sum(len(results) for results in runs[:run]) + result
        return None

    return item_of


def _item(number: int, finding: SarifFinding) -> Item:
    where = "\n".join(finding.locations)
    description = finding.message + (f"\n\nLocations:\n{where}" if where else "")
    product = finding.repository or (finding.locations[0].split(":")[0] if where else "")
    return Item(
        index=number,
        title=clean(finding.title, TITLE_CHARS),
        description=clean(description),
        cwe=finding.cwe,
        products=(ProductRef(vendor=clean(finding.tool, 200), product=clean(product, 200)),),
        raw=dict(finding.raw),
    )
