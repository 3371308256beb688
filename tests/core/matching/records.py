"""Hand-written OSV records for matching tests: small builders so each case reads as its ranges."""

from __future__ import annotations

from typing import Any

from clearinghouse.core.formats.osv import Advisory, parse_osv

Record = dict[str, Any]


def events(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    """[("introduced", "1.0"), ("fixed", "2.0")] -> OSV event objects, in the order given."""
    return [{kind: version} for kind, version in pairs]


def ecosystem_range(*pairs: tuple[str, str]) -> Record:
    """An ECOSYSTEM range with the given events."""
    return {"type": "ECOSYSTEM", "events": events(*pairs)}


def semver_range(*pairs: tuple[str, str]) -> Record:
    """A SEMVER range with the given events."""
    return {"type": "SEMVER", "events": events(*pairs)}


def git_range() -> Record:
    """A GIT range (commits cannot be ordered without the repository)."""
    return {
        "type": "GIT",
        "repo": "https://example.org/repo.git",
        "events": events(("introduced", "0"), ("fixed", "a" * 40)),
    }


def affected(ecosystem: str, name: str, *ranges: Record, versions: tuple[str, ...] = ()) -> Record:
    """One `affected[]` entry."""
    entry: Record = {"package": {"ecosystem": ecosystem, "name": name}, "ranges": list(ranges)}
    if versions:
        entry["versions"] = list(versions)
    return entry


def advisory(
    *entries: Record,
    advisory_id: str = "OSV-TEST-1",
    modified: str = "2024-01-01T00:00:00Z",
    **fields: Any,
) -> Advisory:
    """Parse (and schema-validate) a record with the given `affected[]` entries."""
    return parse_osv({"id": advisory_id, "modified": modified, "affected": list(entries), **fields})
