"""OSV advisories: read records from files, trees and zip feeds, validated, into dataclasses."""

from ._model import Advisory, AffectedPackage, Event, EventKind, Package, Range, RangeType
from ._parse import OSVFormatError, parse_osv
from ._read import DEFAULT_LIMITS, ReadLimits, load_yaml, parse_osv_bytes, read_osv
from ._schema import SCHEMA_PATH, SHORT_COMMIT_RULE, schema_errors

__all__ = [
    "DEFAULT_LIMITS",
    "SCHEMA_PATH",
    "SHORT_COMMIT_RULE",
    "Advisory",
    "AffectedPackage",
    "Event",
    "EventKind",
    "OSVFormatError",
    "Package",
    "Range",
    "RangeType",
    "ReadLimits",
    "load_yaml",
    "parse_osv",
    "parse_osv_bytes",
    "read_osv",
    "schema_errors",
]
