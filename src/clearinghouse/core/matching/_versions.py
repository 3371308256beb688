"""Each ecosystem's version ordering, from univers, with cached parsing and cheap sort keys.

Parsing a version with univers costs 5-30 µs and comparing two univers objects 2-20 µs; SBOMs
repeat versions, so parses are cached, and the index compares *sort keys*: the library object
that univers itself compares, which is several times cheaper than the univers wrapper.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from univers import versions as uv

SortKey = Any
"""An orderable stand-in for a version; only keys from the same scheme are comparable."""

_CACHE_SIZE = 1 << 17


class VersionScheme:
    """How one family of ecosystems spells and orders versions."""

    __slots__ = ("_sort_key", "name", "parse", "version_class")

    def __init__(self, name: str, version_class: type[uv.Version], *, semver: bool = False) -> None:
        self.name = name
        self.version_class = version_class
        self.parse: Callable[[str], uv.Version | None] = lru_cache(_CACHE_SIZE)(self._parse)
        self._sort_key: Callable[[str], SortKey | None] = lru_cache(_CACHE_SIZE)(
            self._semver_key if semver else self._library_key
        )

    def __repr__(self) -> str:
        return f"VersionScheme({self.name!r})"

    def sort_key(self, version: str) -> SortKey | None:
        """Return the cached sort key of `version`, or None when it is not valid in this scheme."""
        return self._sort_key(version)

    def _parse(self, version: str) -> uv.Version | None:
        try:
            return self.version_class(version)
        except Exception:  # univers's parsers raise assorted types on malformed input
            return None

    def _library_key(self, version: str) -> SortKey | None:
        parsed = self.parse(version)
        if parsed is None:
            return None
        # univers orders most classes by comparing their `.value` (attrs order on that one
        # field); where a class overrides the comparison, the univers object is the key.
        if type(parsed).__lt__ is uv.Version.__lt__:
            return parsed.value
        return parsed

    def _semver_key(self, version: str) -> SortKey | None:
        parsed = self.parse(version)
        if parsed is None:
            return None
        # SemVer 2.0 §10-11: build metadata does not take part in precedence. univers's `<`
        # ignores it but its `==` does not, which would leave "1.0.0+a" and "1.0.0" unordered.
        return parsed.value.precedence_key[:4]


PYPI = VersionScheme("PEP 440", uv.PypiVersion)
SEMVER = VersionScheme("SemVer", uv.SemverVersion, semver=True)
GO = VersionScheme("Go", uv.GolangVersion, semver=True)
COMPOSER = VersionScheme("Composer", uv.ComposerVersion, semver=True)
MAVEN = VersionScheme("Maven", uv.MavenVersion)
NUGET = VersionScheme("NuGet", uv.NugetVersion)
RUBYGEMS = VersionScheme("RubyGems", uv.RubygemsVersion)
DEBIAN = VersionScheme("dpkg", uv.DebianVersion)
ALPINE = VersionScheme("apk", uv.AlpineLinuxVersion)
RPM = VersionScheme("RPM", uv.RpmVersion)


def compare(scheme: VersionScheme, left: str, right: str) -> int | None:
    """Compare two versions with univers's own operators: -1, 0 or 1, None if either is invalid.

    Equality is "neither is less", which is how SemVer precedence treats build metadata.
    """
    a, b = scheme.parse(left), scheme.parse(right)
    if a is None or b is None:
        return None
    return int(a > b) - int(a < b)
