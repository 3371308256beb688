"""Readers and writers for the advisory, SBOM and finding formats the field exchanges."""

from ._problem import Location, Problem, pointer

__all__ = ["Location", "Problem", "pointer"]
