"""SSVC decision tables read from CERT/CC's published table files, so decisions follow the data."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType

from pydantic import BaseModel, ConfigDict, ValidationError

from ._errors import ScoringError
from ._inputs import read_capped

_TABLES_DIR = Path(__file__).resolve().parent / "ssvc_tables"
_CISA_COORDINATOR = _TABLES_DIR / "cisa_coordinator_2_0_3.json"
_MAX_TABLE_BYTES = 1 << 20


@dataclass(frozen=True)
class DecisionValue:
    """One value of a decision point, e.g. Exploitation 'Active' (key 'A')."""

    key: str
    name: str
    definition: str


@dataclass(frozen=True)
class DecisionPoint:
    """A question in the table, its values in the table's order (least to most severe)."""

    id: str
    key: str
    name: str
    values: tuple[DecisionValue, ...]

    @property
    def argument(self) -> str:
        """The keyword `DecisionTable.decide` takes for this point, e.g. 'technical_impact'."""
        return re.sub(r"[^a-z0-9]+", "_", self.name.lower()).strip("_")

    def value(self, given: str) -> DecisionValue:
        """Resolve a value by name (any case) or key, or raise listing the allowed names."""
        for candidate in self.values:
            if given.casefold() == candidate.name.casefold() or given == candidate.key:
                return candidate
        allowed = ", ".join(repr(value.name) for value in self.values)
        raise ScoringError(f"{self.name}: unknown value {given!r}; allowed: {allowed}")


@dataclass(frozen=True)
class DecisionTable:
    """An SSVC decision table: every combination of input values mapped to one outcome."""

    id: str
    name: str
    inputs: tuple[DecisionPoint, ...]
    outcome: DecisionPoint
    rows: Mapping[tuple[str, ...], str]

    def decide(self, **values: str) -> DecisionValue:
        """Return the outcome for the given input values, keyed by each point's `argument`."""
        expected = {point.argument: point for point in self.inputs}
        unknown = sorted(set(values) - set(expected))
        missing = sorted(set(expected) - set(values))
        if unknown or missing:
            raise ScoringError(
                f"{self.name}: decision needs exactly {', '.join(expected)}"
                + (f"; unknown {', '.join(unknown)}" if unknown else "")
                + (f"; missing {', '.join(missing)}" if missing else "")
            )
        keys = tuple(point.value(values[point.argument]).key for point in self.inputs)
        return self.outcome.value(self.rows[keys])

    def point(self, key: str) -> DecisionPoint:
        """Return the input decision point with this key (e.g. 'MWI'), or raise."""
        for point in self.inputs:
            if point.key == key:
                return point
        raise ScoringError(f"{self.name}: no decision point with key {key!r}")


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class _ValueModel(_Model):
    key: str
    name: str
    definition: str


class _PointModel(_Model):
    key: str
    name: str
    values: tuple[_ValueModel, ...]


class _TableModel(_Model):
    namespace: str
    key: str
    version: str
    name: str
    decision_points: dict[str, _PointModel]
    outcome: str
    mapping: list[dict[str, str]]


def load_decision_table(path: Path) -> DecisionTable:
    """Load and check a CERT/CC SSVC decision table file (schemaVersion 2.0.0 JSON).

    The table must be complete: every combination of input values appears exactly once.
    """
    data = read_capped(path, _MAX_TABLE_BYTES, str(path))
    try:
        model = _TableModel.model_validate(json.loads(data))
    except (ValueError, ValidationError) as exc:
        raise ScoringError(f"{path}: not an SSVC decision table: {exc}") from exc
    points = {
        point_id: DecisionPoint(
            id=point_id,
            key=point.key,
            name=point.name,
            values=tuple(DecisionValue(v.key, v.name, v.definition) for v in point.values),
        )
        for point_id, point in model.decision_points.items()
    }
    if model.outcome not in points:
        raise ScoringError(f"{path}: outcome {model.outcome!r} is not a decision point")
    outcome = points.pop(model.outcome)
    inputs = tuple(points.values())
    if len({point.argument for point in inputs}) != len(inputs):
        raise ScoringError(f"{path}: two decision points share a name")
    table_id = f"{model.namespace}:{model.key}:{model.version}"
    rows = _rows(path, model.mapping, inputs, outcome)
    return DecisionTable(table_id, model.name, inputs, outcome, MappingProxyType(rows))


def _rows(
    path: Path,
    mapping: list[dict[str, str]],
    inputs: tuple[DecisionPoint, ...],
    outcome: DecisionPoint,
) -> dict[tuple[str, ...], str]:
    columns = {point.id for point in inputs} | {outcome.id}
    rows: dict[tuple[str, ...], str] = {}
    for number, row in enumerate(mapping):
        if set(row) != columns:
            raise ScoringError(
                f"{path}: row {number} has columns {sorted(row)}, not {sorted(columns)}"
            )
        for point in (*inputs, outcome):
            if row[point.id] not in {value.key for value in point.values}:
                raise ScoringError(
                    f"{path}: row {number}: {point.name} has no key {row[point.id]!r}"
                )
        keys = tuple(row[point.id] for point in inputs)
        if keys in rows:
            raise ScoringError(f"{path}: row {number} repeats the inputs {keys}")
        rows[keys] = row[outcome.id]
    combinations = math.prod(len(point.values) for point in inputs)
    if len(rows) != combinations:
        raise ScoringError(
            f"{path}: {len(rows)} rows cover only part of {combinations} combinations"
        )
    return rows


@cache
def cisa_coordinator_table() -> DecisionTable:
    """The CISA Coordinator table (2.0.3) shipped with the package: Track, Track*, Attend, Act."""
    return load_decision_table(_CISA_COORDINATOR)
