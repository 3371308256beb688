"""Matching components against OSV advisories: version ranges and the advisory index (hot path)."""

from ._component import Component, component_from_purl
from ._ecosystems import canonical_ecosystem, is_supported_ecosystem, normalise_name
from ._index import AdvisoryIndex, PackageKey
from ._reference import evaluate, evaluate_package, evaluate_range
from ._verdict import Match, Verdict

__all__ = [
    "AdvisoryIndex",
    "Component",
    "Match",
    "PackageKey",
    "Verdict",
    "canonical_ecosystem",
    "component_from_purl",
    "evaluate",
    "evaluate_package",
    "evaluate_range",
    "is_supported_ecosystem",
    "normalise_name",
]
