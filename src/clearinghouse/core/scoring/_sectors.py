"""CISA's critical infrastructure sectors, and the two the clearinghouse triages first."""

from __future__ import annotations

from enum import StrEnum


class CriticalInfrastructureSector(StrEnum):
    """The sixteen sectors of PPD-21; values match the accounts app's stored sector codes."""

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


# Energy is the lifeline every other sector depends on, and a financial-services compromise
# turns into losses for many people at once; the program triages both first.
PRIORITY_SECTORS = frozenset(
    {CriticalInfrastructureSector.ENERGY, CriticalInfrastructureSector.FINANCIAL_SERVICES}
)
