"""Triage priority for the vulnerability-report queue: one number, and the reasons behind it.

Ordering rule. A report earns points from each signal it has; the queue sorts by points, most
first (``rank_key`` ascending). Missing signals earn nothing.

==============================================  =========================================
signal                                          points
==============================================  =========================================
listed in CISA KEV (exploitation confirmed)     700
... and known use in ransomware campaigns       +100
SSVC (CISA Coordinator) decision                Act 400, Attend 250, Track* 100, Track 0
affected products used in energy or             150
financial services
... else in another critical-infrastructure     50
sector
EPSS probability (0..1)                         probability x 200, rounded (0..200)
CVSS score (0..10)                              score x 20, rounded (0..200)
==============================================  =========================================

Why these weights:

- Confirmed exploitation comes first: a KEV-listed report outranks every report that is not in
  KEV and whose SSVC decision is Track or Track* or not yet made (those reach at most
  100 + 150 + 200 + 200 = 650 < 700). Only an SSVC Attend or Act, which in the CISA table needs
  evidence of exploitation or automatable high-impact exposure, can lift an unlisted report
  above a listed one.
- The SSVC decision is the program's considered judgement, so it is the next-heaviest signal;
  the steps are not walls, though: a report with a strong sector, EPSS and CVSS can pass a
  report one step above it, because those are evidence too.
- Energy and financial services outrank other sectors, which outrank none, at equal scores.
  (The same sectors also raise the SSVC inputs, see `raise_for_sectors`; that can change the
  decision itself, while these points order reports that share a decision.)
- EPSS and CVSS break the remaining ties with equal weight: likelihood and severity.

Points are integers, so equal inputs always give equal points and ties are exact.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from clearinghouse.core.sectors import PRIORITY_SECTORS, Sector

from ._cvss import CvssScore
from ._epss import EpssScore
from ._errors import ScoringError
from ._kev import KevEntry

_KEV = 700
_RANSOMWARE = 100
_SSVC = {"Track": 0, "Track*": 100, "Attend": 250, "Act": 400}
_PRIORITY_SECTOR = 150
_OTHER_SECTOR = 50
_EPSS_SCALE = 200
_CVSS_SCALE = 20


@dataclass(frozen=True)
class Priority:
    """A report's triage points and the human-readable reasons that add up to them."""

    points: int
    reasons: tuple[str, ...]

    @property
    def rank_key(self) -> int:
        """Sort key: ascending order puts the most urgent report first."""
        return -self.points


def triage_priority(
    *,
    cvss: CvssScore | None = None,
    ssvc_decision: str | None = None,
    kev: KevEntry | None = None,
    epss: EpssScore | None = None,
    sectors: Iterable[Sector] = (),
) -> Priority:
    """Rank a vulnerability report by the module's ordering rule and say why.

    `ssvc_decision` is a CISA Coordinator outcome name: Track, Track*, Attend or Act.
    """
    reasons: list[tuple[str, int]] = []
    if kev is not None:
        reasons.append((f"in CISA KEV since {kev.date_added.isoformat()}", _KEV))
        if kev.known_ransomware_campaign_use:
            reasons.append(("known use in ransomware campaigns", _RANSOMWARE))
    if ssvc_decision is not None:
        reasons.append((f"SSVC: {ssvc_decision}", _ssvc_points(ssvc_decision)))
    if sector_reason := _sector_reason(frozenset(map(Sector, sectors))):
        reasons.append(sector_reason)
    if epss is not None:
        reasons.append(
            (
                f"EPSS {epss.probability:.3f} (percentile {epss.percentile:.2%})",
                round(epss.probability * _EPSS_SCALE),
            )
        )
    if cvss is not None:
        reasons.append((cvss.label, round(cvss.score * _CVSS_SCALE)))
    return Priority(
        points=sum(points for _, points in reasons),
        reasons=tuple(f"{text} (+{points})" for text, points in reasons),
    )


def _ssvc_points(decision: str) -> int:
    if decision not in _SSVC:
        allowed = ", ".join(_SSVC)
        raise ScoringError(f"SSVC decision {decision!r} is not a CISA outcome; allowed: {allowed}")
    return _SSVC[decision]


def _sector_reason(sectors: frozenset[Sector]) -> tuple[str, int] | None:
    if not sectors:
        return None
    names = ", ".join(sorted(sector.replace("_", " ") for sector in sectors))
    points = _PRIORITY_SECTOR if PRIORITY_SECTORS & sectors else _OTHER_SECTOR
    return f"used in critical infrastructure: {names}", points
