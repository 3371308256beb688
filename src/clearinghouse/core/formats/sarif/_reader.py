"""Reads a SARIF 2.1.0 log into findings, checking the structure intake relies on.

We do not ship the OASIS SARIF JSON schema: the log is checked structurally with pydantic
against the parts of SARIF 2.1.0 (OASIS Standard, §3) that a finding is built from — the
version, `runs[].tool.driver.name`, `results[].message`, rule references, levels and
locations. Unknown properties are allowed, as the standard's property bags allow them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .._problem import Problem

_CWE_TAG = re.compile(r"(?:^|/)cwe[-/:](\d+)$", re.IGNORECASE)


class SarifError(ValueError):
    """A log that is not SARIF 2.1.0 as intake reads it: `located` says where and why
    (`problems`: the same as lines, "runs/0/tool/driver/name: ...").
    """

    def __init__(self, located: Sequence[Problem]) -> None:
        self.located = tuple(located)
        self.problems = tuple(
            f"{'/'.join(str(part) for part in p.location)}: {p.message}"
            if p.location
            else p.message
            for p in self.located
        )
        super().__init__("; ".join(self.problems))


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class _Message(_Open):
    text: str | None = None
    markdown: str | None = None
    id: str | None = None


class _Text(_Open):
    text: str = ""


class _Rule(_Open):
    id: str
    name: str | None = None
    shortDescription: _Text | None = None
    fullDescription: _Text | None = None
    properties: dict[str, Any] = Field(default_factory=dict)


class _Driver(_Open):
    name: str = Field(min_length=1)
    version: str | None = None
    semanticVersion: str | None = None
    rules: list[_Rule] = Field(default_factory=list)


class _Tool(_Open):
    driver: _Driver


class _ArtifactLocation(_Open):
    uri: str | None = None


class _Region(_Open):
    startLine: int | None = Field(default=None, ge=1)


class _PhysicalLocation(_Open):
    artifactLocation: _ArtifactLocation | None = None
    region: _Region | None = None


class _Location(_Open):
    physicalLocation: _PhysicalLocation | None = None


class _RuleReference(_Open):
    id: str | None = None
    index: int | None = Field(default=None, ge=0)


class _Result(_Open):
    ruleId: str | None = None
    ruleIndex: int | None = Field(default=None, ge=-1)
    rule: _RuleReference | None = None
    level: Literal["none", "note", "warning", "error"] | None = None
    message: _Message
    locations: list[_Location] = Field(default_factory=list)
    properties: dict[str, Any] = Field(default_factory=dict)


class _Provenance(_Open):
    repositoryUri: str


class _Run(_Open):
    tool: _Tool
    results: list[_Result] | None = None
    versionControlProvenance: list[_Provenance] = Field(default_factory=list)


class _Log(_Open):
    version: Literal["2.1.0"]
    runs: list[_Run]


@dataclass(frozen=True)
class SarifFinding:
    """One result of a run, with its rule's texts resolved."""

    run: int
    index: int
    tool: str
    rule_id: str
    title: str
    message: str
    level: str
    cwe: str
    locations: tuple[str, ...]
    repository: str
    security_severity: str
    raw: Mapping[str, Any]


def _rule_for(result: _Result, rules: list[_Rule]) -> _Rule | None:
    index = result.rule.index if result.rule and result.rule.index is not None else None
    if index is None and result.ruleIndex is not None and result.ruleIndex >= 0:
        index = result.ruleIndex
    if index is not None and index < len(rules):
        return rules[index]
    rule_id = result.ruleId or (result.rule.id if result.rule else None)
    return next((rule for rule in rules if rule.id == rule_id), None)


def _cwe(rule: _Rule | None, result: _Result) -> str:
    tags = [*(rule.properties.get("tags", []) if rule else []), *result.properties.get("tags", [])]
    for tag in tags:
        if isinstance(tag, str) and (match := _CWE_TAG.search(tag.strip())):
            return f"CWE-{match[1]}"
    return ""


def _where(location: _Location) -> str:
    physical = location.physicalLocation
    if physical is None or physical.artifactLocation is None or not physical.artifactLocation.uri:
        return ""
    line = physical.region.startLine if physical.region and physical.region.startLine else None
    return physical.artifactLocation.uri + (f":{line}" if line else "")


def parse_sarif(log: Any) -> tuple[SarifFinding, ...]:
    """Check a decoded SARIF log and return one finding per result; raise `SarifError`."""
    if not isinstance(log, Mapping):
        raise SarifError([Problem((), "a SARIF log is a JSON object")])
    try:
        parsed = _Log.model_validate(log)
    except ValidationError as error:
        raise SarifError(
            [Problem(tuple(item["loc"]), item["msg"]) for item in error.errors()[:20]]
        ) from None
    findings = []
    for run_index, run in enumerate(parsed.runs):
        rules = run.tool.driver.rules
        repository = (
            run.versionControlProvenance[0].repositoryUri if run.versionControlProvenance else ""
        )
        for index, result in enumerate(run.results or []):
            rule = _rule_for(result, rules)
            message = result.message.text or result.message.markdown or ""
            if not message and rule and result.message.id:
                message = str(rule.properties.get(result.message.id, ""))
            title = ""
            if rule is not None:
                title = (rule.shortDescription.text if rule.shortDescription else "") or (
                    rule.name or rule.id
                )
            raw_results = log["runs"][run_index]["results"]
            findings.append(
                SarifFinding(
                    run=run_index,
                    index=index,
                    tool=run.tool.driver.name,
                    rule_id=result.ruleId or (rule.id if rule else ""),
                    title=title or message.split("\n", 1)[0][:200],
                    message=message,
                    level=result.level or "warning",
                    cwe=_cwe(rule, result),
                    locations=tuple(w for w in map(_where, result.locations) if w),
                    repository=repository,
                    security_severity=str(
                        (rule.properties.get("security-severity", "") if rule else "")
                        or result.properties.get("security-severity", "")
                    ),
                    raw=raw_results[index],
                )
            )
    return tuple(findings)
