"""The real PyPA advisories, read (and schema-checked) once per test session, in place."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from clearinghouse.core.formats.osv import Advisory, OSVFormatError, read_osv


@cache
def pypi_corpus(root: Path) -> tuple[tuple[Advisory, ...], tuple[OSVFormatError, ...]]:
    """Every record under `root`; those the schema refuses are also parsed, unvalidated.

    Returns (all advisories, the schema errors), so that format tests can check the errors
    and matching tests can use every record without parsing the YAML twice.
    """
    errors: list[OSVFormatError] = []
    advisories = list(read_osv(root, on_error=errors.append))
    for error in errors:
        advisories.extend(read_osv(error.source, validate=False))
    return tuple(advisories), tuple(errors)
