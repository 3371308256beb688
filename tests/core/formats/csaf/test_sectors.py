from __future__ import annotations

import pytest

from clearinghouse.core.formats.csaf import CISA_SECTORS, sectors_from_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Splitting on " and " would yield "Food", "Agriculture", "Water", ... here.
        (
            "Commercial Facilities, Critical Manufacturing, Energy, and Food and Agriculture",
            ("Commercial Facilities", "Critical Manufacturing", "Energy", "Food and Agriculture"),
        ),
        (
            "Healthcare and Public Health, Financial Services",
            ("Healthcare and Public Health", "Financial Services"),
        ),
        (
            "Dams, Nuclear Reactors, Materials, and Waste, Water and Wastewater Systems",
            ("Dams", "Nuclear Reactors, Materials, and Waste", "Water and Wastewater Systems"),
        ),
        # Wording seen in real CISA notes.
        (
            "Agriculture and Food, Critical Manufacturing Energy, Water and Wastewater",
            (
                "Food and Agriculture",
                "Critical Manufacturing",
                "Energy",
                "Water and Wastewater Systems",
            ),
        ),
        ("Oil & Gas, Petrochemical, Life Sciences", ()),
        (" Critical\nManufacturing ", ("Critical Manufacturing",)),
    ],
)
def test_only_whole_known_sector_phrases_are_mapped(text: str, expected: tuple[str, ...]) -> None:
    assert sectors_from_text(text) == expected


def test_every_canonical_name_maps_to_itself() -> None:
    for sector in CISA_SECTORS:
        assert sectors_from_text(sector) == (sector,)


def test_a_sector_mentioned_twice_is_listed_once() -> None:
    assert sectors_from_text("Energy; energy") == ("Energy",)
