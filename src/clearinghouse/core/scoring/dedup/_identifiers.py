"""Identifiers that say two reports are different vulnerabilities.

An identifier's namespace is its prefix (`CVE-2021-31344` is in `CVE`, `GHSA-…` in `GHSA`).
One vulnerability has one id per namespace, so two reports that each name ids in a namespace
but none in common there are two vulnerabilities: marking one a duplicate of the other would
merge two CVEs. A report with no id in a namespace says nothing about it (a lab's finding
before a CVE is assigned).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

_NAMESPACED = re.compile(r"^([A-Za-z]+)-\S")


@dataclass(frozen=True)
class IdentifierConflict:
    """A namespace in which two reports name different ids."""

    namespace: str
    left: tuple[str, ...]
    right: tuple[str, ...]

    def __str__(self) -> str:
        return f"{', '.join(self.left)} vs {', '.join(self.right)}"


def _by_namespace(aliases: Iterable[str]) -> dict[str, set[str]]:
    grouped: defaultdict[str, set[str]] = defaultdict(set)
    for alias in aliases:
        if match := _NAMESPACED.match(alias.strip()):
            grouped[match.group(1).upper()].add(alias.strip().upper())
    return grouped


def conflicting_identifiers(a: Iterable[str], b: Iterable[str]) -> list[IdentifierConflict]:
    """The namespaces in which aliases `a` and `b` both name ids but share none, by name."""
    left, right = _by_namespace(a), _by_namespace(b)
    return [
        IdentifierConflict(
            namespace, tuple(sorted(left[namespace])), tuple(sorted(right[namespace]))
        )
        for namespace in sorted(left.keys() & right.keys())
        if not left[namespace] & right[namespace]
    ]
