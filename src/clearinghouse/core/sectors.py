"""CISA's sixteen critical infrastructure sectors (PPD-21): one list for the whole platform.

Operators declare a sector, CSAF advisories name sectors in free text, and triage raises
priority for the sectors the order protects first; all of them use these codes and names.
"""

from __future__ import annotations

from enum import StrEnum


class Sector(StrEnum):
    """A sector's stable code; `label` is CISA's own name for it."""

    CHEMICAL = "chemical"
    COMMERCIAL_FACILITIES = "commercial_facilities"
    COMMUNICATIONS = "communications"
    CRITICAL_MANUFACTURING = "critical_manufacturing"
    DAMS = "dams"
    DEFENSE_INDUSTRIAL_BASE = "defense_industrial_base"
    EMERGENCY_SERVICES = "emergency_services"
    ENERGY = "energy"
    FINANCIAL_SERVICES = "financial_services"
    FOOD_AND_AGRICULTURE = "food_and_agriculture"
    GOVERNMENT_FACILITIES = "government_facilities"
    HEALTHCARE_AND_PUBLIC_HEALTH = "healthcare_and_public_health"
    INFORMATION_TECHNOLOGY = "information_technology"
    NUCLEAR = "nuclear"
    TRANSPORTATION_SYSTEMS = "transportation_systems"
    WATER_AND_WASTEWATER = "water_and_wastewater"

    @property
    def label(self) -> str:
        """CISA's name of the sector, as advisories write it."""
        return _LABELS[self]


_LABELS = {
    Sector.CHEMICAL: "Chemical",
    Sector.COMMERCIAL_FACILITIES: "Commercial Facilities",
    Sector.COMMUNICATIONS: "Communications",
    Sector.CRITICAL_MANUFACTURING: "Critical Manufacturing",
    Sector.DAMS: "Dams",
    Sector.DEFENSE_INDUSTRIAL_BASE: "Defense Industrial Base",
    Sector.EMERGENCY_SERVICES: "Emergency Services",
    Sector.ENERGY: "Energy",
    Sector.FINANCIAL_SERVICES: "Financial Services",
    Sector.FOOD_AND_AGRICULTURE: "Food and Agriculture",
    Sector.GOVERNMENT_FACILITIES: "Government Facilities",
    Sector.HEALTHCARE_AND_PUBLIC_HEALTH: "Healthcare and Public Health",
    Sector.INFORMATION_TECHNOLOGY: "Information Technology",
    Sector.NUCLEAR: "Nuclear Reactors, Materials, and Waste",
    Sector.TRANSPORTATION_SYSTEMS: "Transportation Systems",
    Sector.WATER_AND_WASTEWATER: "Water and Wastewater Systems",
}

# Energy is the lifeline every other sector depends on, and a financial-services compromise
# turns into losses for many people at once; the program triages both first.
PRIORITY_SECTORS = frozenset({Sector.ENERGY, Sector.FINANCIAL_SERVICES})

_BY_LABEL = {sector.label.casefold(): sector for sector in Sector}


def sector_named(label: str) -> Sector:
    """The sector whose CISA name is `label` (any case); KeyError names the unknown label."""
    try:
        return _BY_LABEL[" ".join(label.split()).casefold()]
    except KeyError:
        raise KeyError(f"{label!r} is not a CISA critical infrastructure sector") from None
