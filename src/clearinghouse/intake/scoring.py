"""Scores a report from its vectors, the stored KEV and EPSS tables, SSVC and its sectors.

The decision comes from CISA's coordinator table (loaded from the shipped table file); its
inputs are taken from the report where it states them and derived where it does not:
exploitation is Active for a KEV-listed CVE, technical impact Total when the CVSS vector
gives full confidentiality, integrity and availability impact, and mission & well-being is
raised for energy and financial services (`raise_for_sectors`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from clearinghouse.core.scoring import (
    CvssScore,
    EpssScore,
    KevEntry,
    MissionPrevalence,
    PublicWellBeingImpact,
    ScoringError,
    cisa_coordinator_table,
    mission_and_well_being,
    parse_cvss,
    raise_for_sectors,
    triage_priority,
)
from clearinghouse.core.sectors import Sector

from .models import EpssEntry, KevListing, Report

_VERSION_PREFERENCE = ("4.0", "3.1", "3.0", "2.0")
_FULL_IMPACT = {
    "3": ("C:H", "I:H", "A:H"),
    "4": ("VC:H", "VI:H", "VA:H"),
}


def best_cvss(vectors: Sequence[str]) -> CvssScore | None:
    """The newest CVSS version among the vectors that score; None when none does."""
    scored = []
    for vector in vectors:
        try:
            scored.append(parse_cvss(vector))
        except ScoringError:
            continue
    scored.sort(key=lambda s: _VERSION_PREFERENCE.index(s.version))
    return scored[0] if scored else None


def technical_impact(cvss: CvssScore | None) -> str:
    """SSVC technical impact: Total when the vector gives the attacker C, I and A (all High)."""
    if cvss is None or cvss.version == "2.0":
        return "Partial"
    metrics = set(cvss.vector.split("/"))
    full = _FULL_IMPACT[cvss.version[0]]
    return "Total" if all(metric in metrics for metric in full) else "Partial"


def _kev_entry(listing: KevListing) -> KevEntry:
    return KevEntry(
        cve_id=listing.cve_id,
        vendor=listing.vendor,
        product=listing.product,
        vulnerability_name=listing.vulnerability_name,
        date_added=listing.date_added,
        due_date=listing.date_added + dt.timedelta(days=21),
        known_ransomware_campaign_use=listing.known_ransomware_campaign_use,
        required_action="",
        short_description="",
        notes="",
        cwes=(),
    )


def score(
    report: Report,
    *,
    kev: Iterable[KevListing] = (),
    epss: Iterable[EpssEntry] = (),
) -> None:
    """Set the report's CVSS, SSVC, KEV, EPSS and priority fields (does not save)."""
    listings = sorted(kev, key=lambda listing: listing.date_added)
    epss_entries = sorted(epss, key=lambda entry: -entry.probability)
    cvss = best_cvss(report.cvss_vectors)
    report.cvss_vector = cvss.vector if cvss else ""
    report.cvss_version = cvss.version if cvss else ""
    report.cvss_score = cvss.score if cvss else None
    report.cvss_label = cvss.label if cvss else ""
    report.in_kev = bool(listings)
    report.epss = epss_entries[0].probability if epss_entries else None
    sectors = [Sector(value) for value in report.sectors]
    prevalence, well_being = raise_for_sectors(
        MissionPrevalence(report.ssvc_mission_prevalence or "Minimal"),
        PublicWellBeingImpact(report.ssvc_public_well_being or "Minimal"),
        sectors,
    )
    inputs = {
        "exploitation": "Active" if listings else (report.ssvc_exploitation or "None"),
        "automatable": report.ssvc_automatable or "No",
        "technical_impact": report.ssvc_technical_impact or technical_impact(cvss),
        "mission_and_well_being_impact": mission_and_well_being(prevalence, well_being).name,
    }
    decision = cisa_coordinator_table().decide(**inputs).name
    report.ssvc_inputs = inputs | {
        "mission_prevalence": prevalence.value,
        "public_well_being_impact": well_being.value,
    }
    report.ssvc_mission_well_being = inputs["mission_and_well_being_impact"]
    report.ssvc_decision = decision
    priority = triage_priority(
        cvss=cvss,
        ssvc_decision=decision,
        kev=_kev_entry(listings[0]) if listings else None,
        epss=(
            EpssScore(entry.cve_id, entry.probability, entry.percentile)
            if (entry := epss_entries[0] if epss_entries else None)
            else None
        ),
        sectors=sectors,
    )
    report.priority_points = priority.points
    report.priority_reasons = list(priority.reasons)
