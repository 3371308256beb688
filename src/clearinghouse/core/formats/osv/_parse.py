"""Turns one OSV record (a decoded JSON/YAML mapping) into an `Advisory`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from ._model import Advisory, AffectedPackage, Event, EventKind, Package, Range, RangeType
from ._schema import SHORT_COMMIT_RULE, schema_errors


class OSVFormatError(ValueError):
    """A record that cannot be read as OSV; the message names its file (or archive member)."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


def parse_osv(
    record: Mapping[str, Any],
    *,
    source: str = "<record>",
    validate: bool = True,
    allow_short_commits: bool = False,
) -> Advisory:
    """Parse a decoded OSV record, checking it against the OSV schema first unless told not to.

    `source` names where the record came from, so that an error points a person at the file.
    `allow_short_commits` accepts a record whose only fault is an abbreviated GIT commit hash;
    the advisory then names the forgiven rule in `forgiven`, so an import can report it.
    """
    if not isinstance(record, Mapping):
        raise OSVFormatError(source, f"an OSV record is a JSON object, not {type(record).__name__}")
    forgiven: tuple[str, ...] = ()
    if validate and (problems := schema_errors(record)):
        if not allow_short_commits or schema_errors(record, allow_short_commits=True):
            raise OSVFormatError(source, "not valid OSV: " + "; ".join(problems))
        forgiven = (SHORT_COMMIT_RULE,)
    try:
        return _advisory(record, source, forgiven)
    except (KeyError, TypeError, ValueError) as error:
        # Reached only with validate=False: the schema would have refused the record.
        raise OSVFormatError(source, f"malformed record: {error!r}") from error


def _advisory(record: Mapping[str, Any], source: str, forgiven: tuple[str, ...]) -> Advisory:
    return Advisory(
        id=record["id"],
        modified=_timestamp(record["modified"], "modified", source),
        published=_optional_timestamp(record.get("published"), "published", source),
        withdrawn=_optional_timestamp(record.get("withdrawn"), "withdrawn", source),
        aliases=tuple(record.get("aliases") or ()),
        related=tuple(record.get("related") or ()),
        summary=record.get("summary") or "",
        details=record.get("details") or "",
        affected=tuple(_affected(entry) for entry in record.get("affected") or ()),
        raw=record,
        forgiven=forgiven,
    )


def _affected(entry: Mapping[str, Any]) -> AffectedPackage:
    package = entry.get("package")
    return AffectedPackage(
        package=(
            Package(ecosystem=package["ecosystem"], name=package["name"], purl=package.get("purl"))
            if package
            else None
        ),
        ranges=tuple(_range(item) for item in entry.get("ranges") or ()),
        versions=tuple(entry.get("versions") or ()),
    )


def _range(item: Mapping[str, Any]) -> Range:
    events = []
    for event in item["events"]:
        # The schema allows an event object to carry more than one key; each is its own event.
        for kind in EventKind:
            if kind.value in event:
                events.append(Event(kind, event[kind.value]))
    return Range(type=RangeType(item["type"]), events=tuple(events), repo=item.get("repo"))


def _timestamp(value: Any, name: str, source: str) -> dt.datetime:
    if isinstance(value, dt.datetime):
        parsed = value
    else:
        try:
            parsed = dt.datetime.fromisoformat(str(value))
        except ValueError as error:
            raise OSVFormatError(
                source, f"{name} is not an RFC 3339 timestamp: {value!r}"
            ) from error
    if parsed.tzinfo is None:
        raise OSVFormatError(source, f"{name} has no timezone: {value!r}")
    return parsed


def _optional_timestamp(value: Any, name: str, source: str) -> dt.datetime | None:
    return None if value is None else _timestamp(value, name, source)
