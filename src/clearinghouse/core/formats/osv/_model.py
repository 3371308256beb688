"""The parts of an OSV record that matching and triage read, as frozen dataclasses."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class RangeType(StrEnum):
    """How a range's event versions are ordered (OSV `ranges[].type`)."""

    GIT = "GIT"
    SEMVER = "SEMVER"
    ECOSYSTEM = "ECOSYSTEM"


class EventKind(StrEnum):
    """What an OSV range event marks: where vulnerability starts, ends, or stops being tracked."""

    INTRODUCED = "introduced"
    FIXED = "fixed"
    LAST_AFFECTED = "last_affected"
    LIMIT = "limit"


@dataclass(frozen=True, slots=True)
class Event:
    """One `events[]` entry: a kind and the version (or commit) it names."""

    kind: EventKind
    version: str


@dataclass(frozen=True, slots=True)
class Range:
    """One `ranges[]` entry, its events in record order (evaluation sorts them)."""

    type: RangeType
    events: tuple[Event, ...]
    repo: str | None = None


@dataclass(frozen=True, slots=True)
class Package:
    """The package an `affected[]` entry is about, named as its ecosystem names it."""

    ecosystem: str
    name: str
    purl: str | None = None


@dataclass(frozen=True, slots=True)
class AffectedPackage:
    """One `affected[]` entry: a package, its ranges and its enumerated versions."""

    package: Package | None
    ranges: tuple[Range, ...] = ()
    versions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Advisory:
    """An OSV record; `raw` keeps the record exactly as read so it can be written back unchanged."""

    id: str
    modified: dt.datetime
    affected: tuple[AffectedPackage, ...] = ()
    aliases: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    published: dt.datetime | None = None
    withdrawn: dt.datetime | None = None
    summary: str = ""
    details: str = ""
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)
    #: Schema rules the record breaks that the reader was told to forgive (see `parse_osv`).
    forgiven: tuple[str, ...] = field(default=(), compare=False)

    @property
    def is_withdrawn(self) -> bool:
        """Whether the record says it no longer applies (matching must ignore it)."""
        return self.withdrawn is not None
