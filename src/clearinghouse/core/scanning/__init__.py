"""Scanning an SBOM: its components as the matcher sees them, matched against an advisory index."""

from ._scan import ComponentScan, build_index, matchable, scan

__all__ = ["ComponentScan", "build_index", "matchable", "scan"]
