"""Mission & Well-being follows the table's definitions; energy and finance raise its inputs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import clearinghouse.core.scoring
from clearinghouse.core.scoring import (
    MissionPrevalence,
    PublicWellBeingImpact,
    ScoringError,
    cisa_coordinator_table,
    load_decision_table,
    mission_and_well_being,
    raise_for_sectors,
)
from clearinghouse.core.sectors import Sector

MP = MissionPrevalence
PWI = PublicWellBeingImpact

# CERT/CC's SSVC calculator, CISA Coordinator v2, "Determining Mission & Well-being impact
# value" (certcc.github.io/SSVC/ssvc-calc): rows Mission Prevalence, columns Public Well-Being.
CALCULATOR_GRID = {
    MP.MINIMAL: {PWI.MINIMAL: "Low", PWI.MATERIAL: "Medium", PWI.IRREVERSIBLE: "High"},
    MP.SUPPORT: {PWI.MINIMAL: "Medium", PWI.MATERIAL: "Medium", PWI.IRREVERSIBLE: "High"},
    MP.ESSENTIAL: {PWI.MINIMAL: "High", PWI.MATERIAL: "High", PWI.IRREVERSIBLE: "High"},
}

SHIPPED_DIR = Path(clearinghouse.core.scoring.__file__).parent / "ssvc_tables"


@pytest.mark.parametrize("prevalence", list(MP))
@pytest.mark.parametrize("well_being", list(PWI))
def test_derivation_agrees_with_the_ssvc_calculator_grid(prevalence, well_being):
    assert (
        mission_and_well_being(prevalence, well_being).name
        == (CALCULATOR_GRID[prevalence][well_being])
    )


def test_derivation_follows_the_definitions_in_the_table_file(tmp_path):
    # Change the table's High definition: the derivation must follow the file, not fixed code.
    document = json.loads((SHIPPED_DIR / "cisa_coordinator_2_0_3.json").read_text())
    high = document["decision_points"]["ssvc:MWI:1.0.0"]["values"][2]
    high["definition"] = (
        "Mission Prevalence:Essential OR Public Well-Being Impact:(Material OR Irreversible)"
    )
    path = tmp_path / "table.json"
    path.write_text(json.dumps(document))
    table = load_decision_table(path)
    assert mission_and_well_being(MP.MINIMAL, PWI.MATERIAL, table).name == "High"
    assert mission_and_well_being(MP.SUPPORT, PWI.MINIMAL, table).name == "Medium"


@pytest.mark.parametrize(
    ("definition", "reason"),
    [
        (
            "Mission Prevalence:Essential AND Public Well-Being Impact:Minimal"
            " OR Mission Prevalence:Support",
            "mixed or missing AND/OR",
        ),
        ("Mission Prevalence:Essential Public Well-Being Impact:Minimal", "missing AND/OR"),
        ("Mission Prevalence:Catastrophic", "uses values outside"),
        ("Safety Impact:Major", "names unknown point 'Safety Impact'"),
        ("Mission Prevalence Essential", "cannot read definition"),
    ],
)
def test_definitions_the_parser_cannot_read_exactly_are_refused(tmp_path, definition, reason):
    document = json.loads((SHIPPED_DIR / "cisa_coordinator_2_0_3.json").read_text())
    document["decision_points"]["ssvc:MWI:1.0.0"]["values"][0]["definition"] = definition
    path = tmp_path / "table.json"
    path.write_text(json.dumps(document))
    with pytest.raises(ScoringError, match=reason):
        mission_and_well_being(MP.MINIMAL, PWI.MINIMAL, load_decision_table(path))


@pytest.mark.parametrize("sector", [Sector.ENERGY, Sector.FINANCIAL_SERVICES])
def test_energy_and_financial_services_raise_the_floor_to_support_and_material(sector):
    assert raise_for_sectors(MP.MINIMAL, PWI.MINIMAL, [sector]) == (MP.SUPPORT, PWI.MATERIAL)
    raised = raise_for_sectors(MP.MINIMAL, PWI.MINIMAL, [sector])
    assert mission_and_well_being(*raised).name == "Medium"


def test_the_raise_never_lowers_what_an_analyst_set_higher():
    energy = [Sector.ENERGY]
    assert raise_for_sectors(MP.ESSENTIAL, PWI.MINIMAL, energy) == (MP.ESSENTIAL, PWI.MATERIAL)
    assert raise_for_sectors(MP.MINIMAL, PWI.IRREVERSIBLE, energy) == (MP.SUPPORT, PWI.IRREVERSIBLE)


def test_other_sectors_and_no_sector_leave_the_values_alone():
    others = [Sector.DAMS, Sector.NUCLEAR]
    assert raise_for_sectors(MP.MINIMAL, PWI.MINIMAL, others) == (MP.MINIMAL, PWI.MINIMAL)
    assert raise_for_sectors(MP.MINIMAL, PWI.MINIMAL, []) == (MP.MINIMAL, PWI.MINIMAL)


def test_sector_raise_can_change_the_cisa_decision():
    def decide(prevalence: MP, well_being: PWI) -> str:
        mwi = mission_and_well_being(prevalence, well_being).name
        return (
            cisa_coordinator_table()
            .decide(
                exploitation="active",
                automatable="no",
                technical_impact="total",
                mission_and_well_being_impact=mwi,
            )
            .name
        )

    assert decide(MP.MINIMAL, PWI.MINIMAL) == "Track"
    energy = [Sector.ENERGY]
    assert decide(*raise_for_sectors(MP.MINIMAL, PWI.MINIMAL, energy)) == "Attend"
