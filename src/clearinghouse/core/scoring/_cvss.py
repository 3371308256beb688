"""CVSS vectors scored by the `cvss` library, labelled so a 4.0 score says what it covers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cvss import CVSS2, CVSS3, CVSS4, CVSSError  # type: ignore[import-untyped]

from ._errors import ScoringError

# CVSS 4.0 §1.2 "Nomenclature": a score is named after the metric groups that fed it.
_THREAT_METRICS = frozenset({"E"})
_ENVIRONMENTAL_METRICS = frozenset(
    {"CR", "IR", "AR", "MAV", "MAC", "MAT", "MPR", "MUI", "MVC", "MVI", "MVA", "MSC", "MSI", "MSA"}
)


@dataclass(frozen=True)
class CvssScore:
    """A parsed CVSS vector and its score.

    For 2.0 and 3.x `score` is the base score (temporal and environmental metrics in the vector
    are kept in `vector` but do not change it). For 4.0 there is one score computed from every
    metric present, so `nomenclature` says which groups it includes: CVSS-B, CVSS-BT, CVSS-BE or
    CVSS-BTE.
    """

    version: str
    vector: str
    score: float
    severity: str
    nomenclature: str | None = None

    @property
    def includes_threat_metrics(self) -> bool:
        """Whether a 4.0 score reflects the Exploit Maturity (E) threat metric."""
        return self.nomenclature in {"CVSS-BT", "CVSS-BTE"}

    @property
    def label(self) -> str:
        """A short display form such as 'CVSS 4.0 9.3 Critical (CVSS-BT)'."""
        suffix = f" ({self.nomenclature})" if self.nomenclature else ""
        return f"CVSS {self.version} {self.score:.1f} {self.severity}{suffix}"


def parse_cvss(vector: str) -> CvssScore:
    """Score a CVSS 2.0, 3.0, 3.1 or 4.0 vector string, raising ScoringError with the reason.

    The version comes from the vector's prefix (2.0 vectors have none and start with 'AV:'),
    never from the library's JSON, whose 4.0 'version' is '4'.
    """
    text = vector.strip()
    try:
        if text.startswith("CVSS:4.0/"):
            return _score_v4(CVSS4(text))
        if text.startswith(("CVSS:3.0/", "CVSS:3.1/")):
            return _score_base(CVSS3(text), version=text[5:8])
        if text.startswith("AV:"):
            return _score_base(CVSS2(text), version="2.0")
    except CVSSError as exc:
        raise ScoringError(f"invalid CVSS vector {vector!r}: {exc}") from exc
    raise ScoringError(
        f"invalid CVSS vector {vector!r}: expected a 'CVSS:4.0/', 'CVSS:3.1/' or 'CVSS:3.0/' "
        "prefix, or a CVSS 2.0 vector starting 'AV:'"
    )


def _score_v4(parsed: Any) -> CvssScore:
    vector = str(parsed.clean_vector())
    present = {field.split(":", 1)[0] for field in vector.split("/")[1:]}
    groups = "B"
    if present & _THREAT_METRICS:
        groups += "T"
    if present & _ENVIRONMENTAL_METRICS:
        groups += "E"
    return CvssScore(
        version="4.0",
        vector=vector,
        score=float(parsed.base_score),
        severity=str(parsed.severity),
        nomenclature=f"CVSS-{groups}",
    )


def _score_base(parsed: Any, version: str) -> CvssScore:
    return CvssScore(
        version=version,
        vector=str(parsed.clean_vector()),
        score=float(parsed.scores()[0]),
        severity=str(parsed.severities()[0]),
    )
