"""Reads a CVE JSON 5 record after validating the whole record (not only the CNA container).

The schema is the CVE Program's bundled record schema (`CVE_JSON_bundled_5.x.json`) as the
`cvelib` package ships it (MIT); it is read from that package's data, never fetched.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft7Validator, ValidationError
from jsonschema.exceptions import best_match

from .._problem import Problem

_MAX_PROBLEMS = 20


class Cve5Error(ValueError):
    """A record that is not a valid, published CVE JSON 5 record: `located` says where and why
    (`problems`: the same as lines, "cveMetadata/state: ...").
    """

    def __init__(self, located: Sequence[Problem]) -> None:
        self.located = tuple(located)
        self.problems = tuple(_line(problem) for problem in self.located)
        super().__init__("; ".join(self.problems))


def _line(problem: Problem) -> str:
    where = "/".join(str(part) for part in problem.location)
    return f"{where}: {problem.message}" if where else problem.message


@dataclass(frozen=True)
class CveAffected:
    """A product the CNA lists, with the versions it marks affected."""

    vendor: str
    product: str
    versions: tuple[str, ...] = ()
    package_name: str = ""
    collection_url: str = ""


@dataclass(frozen=True)
class CveRecord:
    """The facts of a published CVE record that intake and triage read."""

    cve_id: str
    title: str
    description: str
    cwe_ids: tuple[str, ...]
    affected: tuple[CveAffected, ...]
    cvss_vectors: tuple[str, ...]
    ssvc_options: Mapping[str, str]


@cache
def _validator() -> Draft7Validator:
    schemas = resources.files("cvelib") / "schemas"
    (name,) = sorted(
        entry.name for entry in schemas.iterdir() if entry.name.startswith("CVE_JSON_bundled_")
    )
    schema = json.loads((schemas / name).read_text(encoding="utf-8"))
    return Draft7Validator(schema)


def _deepest(error: ValidationError) -> ValidationError:
    # The record schema is a oneOf (published or rejected): the branch that came closest
    # names the real problem, where the oneOf's own message only repeats the record.
    while error.context:
        error = best_match(error.context)
    return error


def schema_problems(record: Any) -> tuple[Problem, ...]:
    """Problems of `record` against the whole CVE JSON 5 record schema; empty when valid."""
    errors = sorted(_validator().iter_errors(record), key=lambda e: list(e.absolute_path))
    return tuple(
        Problem(tuple(error.absolute_path), error.message[:300])
        for error in (_deepest(error) for error in errors[:_MAX_PROBLEMS])
    )


def schema_errors(record: Any) -> tuple[str, ...]:
    """`schema_problems` as lines ("cveMetadata/cveId: ..."; the record itself: "(record)")."""
    return tuple(
        f"{'/'.join(str(part) for part in p.location) or '(record)'}: {p.message}"
        for p in schema_problems(record)
    )


def _english(entries: list[Mapping[str, Any]] | None) -> str:
    entries = entries or []
    for entry in entries:
        if str(entry.get("lang", "")).lower().startswith("en"):
            return str(entry.get("value", ""))
    return str(entries[0].get("value", "")) if entries else ""


def _vectors(containers: list[Mapping[str, Any]]) -> tuple[str, ...]:
    vectors = []
    for container in containers:
        for metric in container.get("metrics") or []:
            for key in ("cvssV4_0", "cvssV3_1", "cvssV3_0", "cvssV2_0"):
                if vector := (metric.get(key) or {}).get("vectorString"):
                    vectors.append(str(vector))
    return tuple(dict.fromkeys(vectors))


def _ssvc(containers: list[Mapping[str, Any]]) -> dict[str, str]:
    # CISA's ADP container ("Vulnrichment") carries SSVC options as {"Exploitation": "none"}.
    options: dict[str, str] = {}
    for container in containers:
        for metric in container.get("metrics") or []:
            other = metric.get("other") or {}
            if str(other.get("type", "")).lower() != "ssvc":
                continue
            for option in (other.get("content") or {}).get("options") or []:
                if isinstance(option, Mapping):
                    options |= {str(k): str(v) for k, v in option.items()}
    return options


def parse_cve5(record: Any, *, validate: bool = True) -> CveRecord:
    """Validate and read a published CVE JSON 5 record; raise `Cve5Error` naming each problem."""
    if not isinstance(record, Mapping):
        raise Cve5Error([Problem((), "a CVE record is a JSON object")])
    if validate and (problems := schema_problems(record)):
        raise Cve5Error(problems)
    state = record["cveMetadata"]["state"]
    if state != "PUBLISHED":
        raise Cve5Error(
            [Problem(("cveMetadata", "state"), f"a {state} record describes no vulnerability")]
        )
    cna = record["containers"]["cna"]
    containers = [cna, *(record["containers"].get("adp") or [])]
    cwes = [
        str(description["cweId"])
        for problem in cna.get("problemTypes") or []
        for description in problem.get("descriptions") or []
        if description.get("cweId")
    ]
    affected = tuple(
        CveAffected(
            vendor=str(entry.get("vendor", "")),
            product=str(entry.get("product", "")),
            versions=tuple(
                str(version.get("version", ""))
                for version in entry.get("versions") or []
                if version.get("status") == "affected"
            ),
            package_name=str(entry.get("packageName", "")),
            collection_url=str(entry.get("collectionURL", "")),
        )
        for entry in cna.get("affected") or []
    )
    return CveRecord(
        cve_id=str(record["cveMetadata"]["cveId"]),
        title=str(cna.get("title", "")),
        description=_english(cna.get("descriptions")),
        cwe_ids=tuple(dict.fromkeys(cwes)),
        affected=affected,
        cvss_vectors=_vectors(containers),
        ssvc_options=_ssvc(containers),
    )
