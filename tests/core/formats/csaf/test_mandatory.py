from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from clearinghouse.core.formats.csaf import mandatory_test_failures
from tests.shared_data import shared_data

from ._documents import example_document

IMPLEMENTED = ("6.1.1", "6.1.2", "6.1.3", "6.1.4", "6.1.5", "6.1.6")


def _corpus() -> tuple[Path, list[dict[str, Any]]]:
    root = shared_data("csaf/conformance")
    tests: list[dict[str, Any]] = json.loads((root / "testcases.json").read_text())["tests"]
    return root, tests


def _found(path: Path) -> set[str]:
    return {failure.test_id for failure in mandatory_test_failures(json.loads(path.read_text()))}


@pytest.mark.parametrize("test_id", IMPLEMENTED)
def test_each_failing_example_of_the_oasis_corpus_is_caught_by_its_test(test_id: str) -> None:
    root, tests = _corpus()
    (case,) = [t for t in tests if t["id"] == test_id]
    assert case["failures"]
    for failing in case["failures"]:
        assert test_id in _found(root / failing["name"]), failing["name"]
    for valid in case.get("valid", []):
        assert test_id not in _found(root / valid["name"]), valid["name"]


def test_no_document_of_the_corpus_fails_a_test_it_was_not_written_to_fail() -> None:
    root, tests = _corpus()
    failing = {c["name"] for t in tests if t["id"] in IMPLEMENTED for c in t["failures"]}
    others = {c["name"] for t in tests for key in ("failures", "valid") for c in t.get(key, [])}
    checked = sorted(others - failing)
    assert len(checked) > 200
    assert [name for name in checked if _found(root / name)] == []


def test_a_failure_names_the_json_path_of_the_offending_reference() -> None:
    document = example_document()
    document["vulnerabilities"][0]["remediations"][0]["group_ids"] = ["NO-SUCH-GROUP"]
    (failure,) = mandatory_test_failures(document)
    assert failure.test_id == "6.1.4"
    assert failure.path == "$.vulnerabilities[0].remediations[0].group_ids[0]"


def test_a_product_both_affected_and_fixed_contradicts_itself() -> None:
    document = example_document()
    document["vulnerabilities"][0]["product_status"]["fixed"].append("GW-OLD")
    assert [f.test_id for f in mandatory_test_failures(document)] == ["6.1.6"]


def test_recommending_a_fixed_product_is_no_contradiction() -> None:
    document = example_document()
    document["vulnerabilities"][0]["product_status"]["recommended"] = ["GW-2.4"]
    assert mandatory_test_failures(document) == ()


def test_a_relationship_chain_back_to_itself_is_circular() -> None:
    document = example_document()
    tree = document["product_tree"]
    tree["relationships"].append(
        {
            "category": "default_component_of",
            "product_reference": "GW-ON-OS",
            "relates_to_product_reference": "OS",
            "full_product_name": {"name": "loop", "product_id": "LOOP"},
        }
    )
    tree["relationships"][0]["product_reference"] = "LOOP"
    assert {f.test_id for f in mandatory_test_failures(document)} == {"6.1.3"}
