"""Scoring: CVSS, SSVC decisions, CISA KEV, FIRST EPSS, and the triage priority built from them."""

from ._cvss import CvssScore, parse_cvss
from ._epss import EpssScore, EpssScores, load_epss_scores
from ._errors import ScoringError
from ._kev import KevCatalog, KevEntry, load_kev_catalog
from ._mission import (
    MissionPrevalence,
    PublicWellBeingImpact,
    mission_and_well_being,
    raise_for_sectors,
)
from ._priority import Priority, triage_priority
from ._ssvc import (
    DecisionPoint,
    DecisionTable,
    DecisionValue,
    cisa_coordinator_table,
    load_decision_table,
)

__all__ = [
    "CvssScore",
    "DecisionPoint",
    "DecisionTable",
    "DecisionValue",
    "EpssScore",
    "EpssScores",
    "KevCatalog",
    "KevEntry",
    "MissionPrevalence",
    "Priority",
    "PublicWellBeingImpact",
    "ScoringError",
    "cisa_coordinator_table",
    "load_decision_table",
    "load_epss_scores",
    "load_kev_catalog",
    "mission_and_well_being",
    "parse_cvss",
    "raise_for_sectors",
    "triage_priority",
]
