"""`clearinghouse scan SBOM --advisories PATH`: the offline scanner — no server, no database.

Operators who will not upload an SBOM get the same answers as the server: the same SBOM
readers, the same matcher, against an OSV feed (e.g. a server's /api/advisories/export zip).
Exit 1 when a component is affected, 0 when none is, 2 on bad input.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from clearinghouse import __version__
from clearinghouse.core.formats.osv import OSVFormatError, read_osv
from clearinghouse.core.formats.sbom import DEFAULT_MAX_BYTES, Sbom, SbomError, read_sbom
from clearinghouse.core.matching import AdvisoryIndex, Verdict
from clearinghouse.core.scanning import ComponentScan, build_index, scan

from ._common import EXIT_FINDINGS, EXIT_OK, BadInput

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVELS = {Verdict.AFFECTED: "error", Verdict.UNKNOWN: "warning"}


def _read_sbom(path: Path) -> Sbom:
    if not path.is_file():
        raise BadInput(f"{path}: no such file")
    if path.stat().st_size > DEFAULT_MAX_BYTES:
        raise BadInput(f"{path}: larger than {DEFAULT_MAX_BYTES:,} bytes")
    try:
        return read_sbom(path.read_bytes(), str(path))
    except SbomError as error:
        raise BadInput(str(error)) from None


def _read_advisories(source: str | None) -> AdvisoryIndex:
    if not source:
        raise BadInput(
            "give --advisories PATH (or CLEARINGHOUSE_ADVISORIES): an OSV directory, file or "
            "zip, such as a server's /api/advisories/export"
        )
    path = Path(source)
    if not path.exists():
        raise BadInput(f"{path}: no such file or directory")
    skipped: list[OSVFormatError] = []
    try:
        index = build_index(read_osv(path, allow_short_commits=True, on_error=skipped.append))
    except OSVFormatError as error:
        raise BadInput(str(error)) from None
    for refused in skipped:
        print(f"warning: skipped {refused}", file=sys.stderr)
    if not len(index) and skipped:
        raise BadInput(f"{path}: no readable OSV record")
    return index


def run(args: argparse.Namespace) -> int:
    """Match an SBOM against OSV advisories offline; exit 1 when a component is affected."""
    sbom = _read_sbom(Path(args.sbom))
    index = _read_advisories(args.advisories or os.environ.get("CLEARINGHOUSE_ADVISORIES"))
    results = scan(sbom.components, index)
    render = {"json": _json, "sarif": _sarif, "table": _table}[args.format]
    render(args.sbom, sbom, index, results)
    vulnerable = any(result.vulnerable for result in results)
    unknown = any(
        result.problem or any(m.verdict is Verdict.UNKNOWN for m in result.matches)
        for result in results
    )
    if vulnerable or (args.fail_on_unknown and unknown):
        return EXIT_FINDINGS
    return EXIT_OK


def _summary(index: AdvisoryIndex, results: list[ComponentScan]) -> dict[str, int]:
    return {
        "advisories": len(index),
        "components": len(results),
        "affected_components": sum(result.vulnerable for result in results),
        "findings": sum(len(result.matches) for result in results),
        "unknown_findings": sum(
            match.verdict is Verdict.UNKNOWN for result in results for match in result.matches
        ),
        "not_evaluated": sum(result.key is None for result in results),
    }


def _component(result: ComponentScan) -> dict[str, Any]:
    item = result.component
    return {
        "name": item.name,
        "version": item.version,
        "purl": item.purl,
        "ecosystem": result.key.ecosystem if result.key else None,
        "package": result.key.name if result.key else None,
        "problem": result.problem,
    }


def _json(source: str, sbom: Sbom, index: AdvisoryIndex, results: list[ComponentScan]) -> None:
    """Components with matches or problems (clean ones only counted), for scripts."""
    listed = [
        _component(result)
        | {
            "matches": [
                {"id": m.advisory_id, "verdict": m.verdict.value, "reason": m.reason}
                for m in result.matches
            ]
        }
        for result in results
        if result.matches or result.problem
    ]
    document = {
        "sbom": {"path": source, "format": sbom.format.value, "name": sbom.name},
        "summary": _summary(index, results),
        "components": listed,
    }
    print(json.dumps(document, indent=2))


def _sarif(source: str, sbom: Sbom, index: AdvisoryIndex, results: list[ComponentScan]) -> None:
    """SARIF 2.1.0: one rule per advisory, one result per affected (error) or unknown (warning)."""
    rules: dict[str, int] = {}
    rule_list: list[dict[str, Any]] = []
    sarif_results = []
    for result in results:
        for match in result.matches:
            if match.advisory_id not in rules:
                rules[match.advisory_id] = len(rule_list)
                rule_list.append(_rule(index, match.advisory_id))
            item = result.component
            sarif_results.append(
                {
                    "ruleId": match.advisory_id,
                    "ruleIndex": rules[match.advisory_id],
                    "level": _LEVELS.get(match.verdict, "note"),
                    "message": {
                        "text": f"{item.name} {item.version} ({match.verdict.value}): "
                        f"{match.advisory_id}: {match.reason}"
                    },
                    "locations": [
                        {
                            "physicalLocation": {"artifactLocation": {"uri": Path(source).name}},
                            "logicalLocations": [
                                {"name": item.purl or item.name, "kind": "module"}
                            ],
                        }
                    ],
                }
            )
    document = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "clearinghouse-scan",
                        "version": __version__,
                        "informationUri": "https://osv.dev/",
                        "rules": rule_list,
                    }
                },
                "results": sarif_results,
            }
        ],
    }
    print(json.dumps(document, indent=2))


def _rule(index: AdvisoryIndex, advisory_id: str) -> dict[str, Any]:
    advisory = index.get(advisory_id)
    summary = (advisory.summary if advisory else "") or advisory_id
    return {
        "id": advisory_id,
        "shortDescription": {"text": summary},
        "helpUri": f"https://osv.dev/vulnerability/{advisory_id}",
    }


def _table(source: str, sbom: Sbom, index: AdvisoryIndex, results: list[ComponentScan]) -> None:
    """A table of findings, then the components that could not be evaluated, then counts."""
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table("component", "version", "advisory", "verdict", "reason", title=source)
    for result in results:
        for match in result.matches:
            style = "bold red" if match.verdict is Verdict.AFFECTED else "yellow"
            table.add_row(
                result.component.name,
                result.component.version or "",
                match.advisory_id,
                f"[{style}]{match.verdict.value}[/]",
                match.reason,
            )
    if table.row_count:
        console.print(table)
    problems = [result for result in results if result.problem]
    if problems:
        console.print(f"{len(problems)} components with unknown verdicts (not evaluated):")
        for result in problems:
            console.print(
                f"  {result.component.name} {result.component.version or ''}: {result.problem}"
            )
    counts = _summary(index, results)
    console.print(
        f"{counts['components']} components, {counts['affected_components']} affected, "
        f"{counts['findings']} findings ({counts['unknown_findings']} unknown), "
        f"{counts['not_evaluated']} not evaluated; {counts['advisories']} advisories"
    )
