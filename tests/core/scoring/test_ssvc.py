"""SSVC tables load from CERT/CC's files and decide as CERT/CC's own CSV of the same table says."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

import clearinghouse.core.scoring
from clearinghouse.core.scoring import ScoringError, cisa_coordinator_table, load_decision_table
from tests.shared_data import shared_data

SHIPPED_DIR = Path(clearinghouse.core.scoring.__file__).parent / "ssvc_tables"


def test_shipped_table_and_licence_are_byte_identical_to_cert_cc_s():
    published = shared_data("ssvc/decision_tables/cisa/cisa_coordinator_2_0_3.json")
    assert (SHIPPED_DIR / published.name).read_bytes() == published.read_bytes()
    licence = shared_data("ssvc/LICENSE")
    assert (SHIPPED_DIR / "LICENSE.txt").read_bytes() == licence.read_bytes()


def test_every_decision_matches_the_row_in_cert_cc_s_csv_of_the_table():
    table = cisa_coordinator_table()
    path = shared_data("ssvc/csv/cisa/cisa_coordinator_2_0_3.csv")
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    # Headers read like 'Technical Impact v1.0.0'; the last column is the outcome.
    arguments = [
        re.sub(r"[^a-z0-9]+", "_", re.sub(r" v\d+\.\d+\.\d+.*$", "", header).lower()).strip("_")
        for header in rows[0][1:-1]
    ]
    assert len(rows) - 1 == 36
    for row in rows[1:]:
        values = dict(zip(arguments, row[1:-1], strict=True))
        assert table.decide(**values).name.lower() == row[-1], row


def test_cisa_table_lists_outcomes_from_track_to_act_and_its_four_inputs():
    table = cisa_coordinator_table()
    assert table.id == "cisa:DT_CO:2.0.3"
    assert [value.name for value in table.outcome.values] == ["Track", "Track*", "Attend", "Act"]
    assert [point.argument for point in table.inputs] == [
        "exploitation",
        "automatable",
        "technical_impact",
        "mission_and_well_being_impact",
    ]


def test_values_are_accepted_by_name_in_any_case_or_by_key():
    table = cisa_coordinator_table()
    by_name = table.decide(
        exploitation="Active",
        automatable="yes",
        technical_impact="TOTAL",
        mission_and_well_being_impact="High",
    )
    by_key = table.decide(
        exploitation="A", automatable="Y", technical_impact="T", mission_and_well_being_impact="H"
    )
    assert by_name == by_key
    assert (by_name.key, by_name.name) == ("AC", "Act")


def test_unknown_value_error_lists_the_allowed_names():
    with pytest.raises(ScoringError, match=r"Exploitation: unknown value 'exploited'") as caught:
        cisa_coordinator_table().decide(
            exploitation="exploited",
            automatable="no",
            technical_impact="partial",
            mission_and_well_being_impact="low",
        )
    assert "'None', 'Public PoC', 'Active'" in str(caught.value)


def test_missing_or_unknown_decision_points_are_named():
    with pytest.raises(
        ScoringError, match="unknown mission; missing mission_and_well_being_impact"
    ):
        cisa_coordinator_table().decide(
            exploitation="none", automatable="no", technical_impact="partial", mission="low"
        )


def _broken_table(tmp_path: Path, change) -> Path:
    document = json.loads((SHIPPED_DIR / "cisa_coordinator_2_0_3.json").read_text())
    change(document)
    path = tmp_path / "table.json"
    path.write_text(json.dumps(document))
    return path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["mapping"].pop(), "35 rows cover only part of 36 combinations"),
        (lambda d: d["mapping"].append(d["mapping"][0]), "row 36 repeats the inputs"),
        (
            lambda d: d["mapping"][3].update({"ssvc:E:1.1.0": "X"}),
            "row 3: Exploitation has no key 'X'",
        ),
        (lambda d: d["mapping"][3].pop("ssvc:A:2.0.0"), "row 3 has columns"),
        (lambda d: d.update(outcome="cisa:CISA:9.9.9"), "is not a decision point"),
        (lambda d: d.pop("mapping"), "not an SSVC decision table"),
    ],
)
def test_incomplete_or_inconsistent_tables_are_refused(tmp_path, change, message):
    with pytest.raises(ScoringError, match=message):
        load_decision_table(_broken_table(tmp_path, change))


def test_a_file_that_is_not_json_is_refused(tmp_path):
    path = tmp_path / "table.json"
    path.write_text("{not json")
    with pytest.raises(ScoringError, match="not an SSVC decision table"):
        load_decision_table(path)
