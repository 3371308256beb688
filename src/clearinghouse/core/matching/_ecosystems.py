"""OSV ecosystem names: their canonical spelling, version scheme and package-name rules."""

from __future__ import annotations

import json
from collections.abc import Callable

from packaging.utils import canonicalize_name

from clearinghouse.core.formats.osv import SCHEMA_PATH, RangeType

from . import _versions as v


def _schema_ecosystems() -> dict[str, str]:
    # The OSV schema's own list, so a new ecosystem arrives with a schema update.
    with SCHEMA_PATH.open(encoding="utf-8") as handle:
        names: list[str] = json.load(handle)["$defs"]["ecosystemName"]["enum"]
    return {name.lower(): name for name in names}


_CANONICAL = _schema_ecosystems()

_SCHEMES: dict[str, v.VersionScheme] = {
    "PyPI": v.PYPI,
    "npm": v.SEMVER,
    "crates.io": v.SEMVER,
    "Hex": v.SEMVER,
    "Pub": v.SEMVER,
    "SwiftURL": v.SEMVER,
    "Go": v.GO,
    "Packagist": v.COMPOSER,
    "Maven": v.MAVEN,
    "NuGet": v.NUGET,
    "RubyGems": v.RUBYGEMS,
    "Debian": v.DEBIAN,
    "Ubuntu": v.DEBIAN,
    "Alpine": v.ALPINE,
    "Wolfi": v.ALPINE,
    "Chainguard": v.ALPINE,
    "Red Hat": v.RPM,
    "AlmaLinux": v.RPM,
    "Rocky Linux": v.RPM,
    "SUSE": v.RPM,
    "openSUSE": v.RPM,
}


def _crate_name(name: str) -> str:
    # crates.io refuses a crate whose name differs from another's only by case or "-"/"_".
    return name.lower().replace("_", "-")


_NAME_RULES: dict[str, Callable[[str], str]] = {
    "PyPI": canonicalize_name,  # PEP 503
    "crates.io": _crate_name,
    "NuGet": str.lower,  # package ids are case-insensitive
    "Packagist": str.lower,  # vendor/package names are case-insensitive
}


def canonical_ecosystem(ecosystem: str) -> str:
    """Spell an ecosystem as OSV does ("pypi" -> "PyPI"); a ":release" suffix is kept as given."""
    base, colon, suffix = ecosystem.partition(":")
    return _CANONICAL.get(base.lower(), base) + colon + suffix


def base_ecosystem(ecosystem: str) -> str:
    """The ecosystem without its release suffix: "Debian:12" -> "Debian"."""
    return ecosystem.partition(":")[0]


def version_scheme(ecosystem: str) -> v.VersionScheme | None:
    """The version ordering of an (OSV-spelled) ecosystem, or None when we cannot order it."""
    return _SCHEMES.get(base_ecosystem(ecosystem))


def is_supported_ecosystem(ecosystem: str) -> bool:
    """Whether versions in this ecosystem can be evaluated against ranges (else: unknown)."""
    return version_scheme(canonical_ecosystem(ecosystem)) is not None


def normalise_name(ecosystem: str, name: str) -> str:
    """Spell a package name the way its ecosystem compares names (PEP 503 for PyPI, etc.).

    npm, Go, Maven (group:artifact), RubyGems and the Linux distributions compare names
    exactly, so they are returned unchanged.
    """
    rule = _NAME_RULES.get(base_ecosystem(canonical_ecosystem(ecosystem)))
    return rule(name) if rule else name


def range_scheme(range_type: RangeType, ecosystem: str) -> v.VersionScheme | None:
    """The ordering a range's events use: SemVer for SEMVER ranges, else the ecosystem's own."""
    if range_type is RangeType.SEMVER:
        return v.SEMVER
    if range_type is RangeType.ECOSYSTEM:
        return version_scheme(ecosystem)
    return None  # GIT: commits have no order without the repository
