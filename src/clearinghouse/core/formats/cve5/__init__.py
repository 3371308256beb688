"""CVE JSON 5 records: validated whole against the official CVE record schema, read into items."""

from ._reader import Cve5Error, CveAffected, CveRecord, parse_cve5, schema_errors, schema_problems

__all__ = [
    "Cve5Error",
    "CveAffected",
    "CveRecord",
    "parse_cve5",
    "schema_errors",
    "schema_problems",
]
