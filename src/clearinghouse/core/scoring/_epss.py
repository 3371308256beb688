"""FIRST's EPSS daily scores: the probability that a CVE is exploited in the next 30 days."""

from __future__ import annotations

import csv
import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import BinaryIO

from ._errors import ScoringError
from ._inputs import aware_datetime, read_capped

# The full daily file is ~300,000 rows, about 10 MB unzipped.
DEFAULT_MAX_EPSS_BYTES = 256 << 20
_HEADER = ["cve", "epss", "percentile"]
_CVE_ID = re.compile(r"CVE-\d{4}-\d{4,19}")


@dataclass(frozen=True)
class EpssScore:
    """One CVE's EPSS probability and its percentile among all scored CVEs, both in 0..1."""

    cve_id: str
    probability: float
    percentile: float


@dataclass(frozen=True)
class EpssScores:
    """One day's EPSS file: the model and date it states, and the scores keyed by CVE."""

    model_version: str | None
    score_date: dt.datetime | None
    scores: Mapping[str, EpssScore]


def load_epss_scores(
    source: Path | BinaryIO, *, max_bytes: int = DEFAULT_MAX_EPSS_BYTES
) -> EpssScores:
    """Parse an EPSS CSV (``epss_scores-YYYY-MM-DD.csv``, optionally gzipped).

    The file may open with a comment such as ``#model_version:v2025.03.14,score_date:...``,
    then the header ``cve,epss,percentile``. Raises ScoringError with the line number of the
    first bad line: wrong header, malformed CVE ID, value outside 0..1, or a repeated CVE.
    """
    what = str(source) if isinstance(source, Path) else "EPSS file"
    try:
        text = read_capped(source, max_bytes, what).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScoringError(f"{what}: not UTF-8: {exc}") from exc
    lines = text.splitlines()
    metadata: dict[str, str] = {}
    first = 1
    if lines and lines[0].startswith("#"):
        metadata = _metadata(what, lines[0])
        first = 2
    scores: dict[str, EpssScore] = {}
    rows = csv.reader(lines[first - 1 :])
    header = next(rows, None)
    if header != _HEADER:
        raise ScoringError(
            f"{what}: line {first}: expected header {','.join(_HEADER)}, got {header}"
        )
    for number, row in enumerate(rows, start=first + 1):
        score = _score(f"{what}: line {number}", row)
        if score.cve_id in scores:
            raise ScoringError(f"{what}: line {number}: {score.cve_id} is listed twice")
        scores[score.cve_id] = score
    return EpssScores(
        model_version=metadata.get("model_version"),
        score_date=_score_date(what, metadata),
        scores=MappingProxyType(scores),
    )


def _metadata(what: str, line: str) -> dict[str, str]:
    pairs = [field.split(":", 1) for field in line[1:].split(",")]
    if any(len(pair) != 2 for pair in pairs):
        raise ScoringError(f"{what}: line 1: expected '#key:value,...', got {line!r}")
    return {key.strip(): value.strip() for key, value in pairs}


def _score_date(what: str, metadata: dict[str, str]) -> dt.datetime | None:
    if "score_date" not in metadata:
        return None
    return aware_datetime(f"{what}: line 1", "score_date", metadata["score_date"])


def _score(where: str, row: list[str]) -> EpssScore:
    if len(row) != len(_HEADER):
        raise ScoringError(f"{where}: expected 3 fields, got {len(row)}")
    cve_id, probability, percentile = row
    if not _CVE_ID.fullmatch(cve_id):
        raise ScoringError(f"{where}: {cve_id!r} is not a CVE ID")
    return EpssScore(
        cve_id=cve_id,
        probability=_unit_interval(where, "epss", probability),
        percentile=_unit_interval(where, "percentile", percentile),
    )


def _unit_interval(where: str, column: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError as exc:
        raise ScoringError(f"{where}: {column} {text!r} is not a number") from exc
    if not (math.isfinite(value) and 0.0 <= value <= 1.0):
        raise ScoringError(f"{where}: {column} {text!r} is outside 0..1")
    return value
