"""Each format's reader on real documents (CISA CSAF, PyPA and RustSec OSV) and on built ones
where the shared data has none (CVE JSON 5, SARIF); and the place of each refusal, as data.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from clearinghouse.intake.readers import DocumentError, read_document
from tests.intake.conftest import cve_record, native, sarif_log
from tests.shared_data import shared_data


def refusal(data: bytes, **options: Any) -> DocumentError:
    with pytest.raises(DocumentError) as raised:
        read_document(data, **options)
    return raised.value


def test_a_real_csaf_advisory_is_detected_and_read_item_by_item(csaf_path: Path) -> None:
    document = read_document(csaf_path.read_bytes())
    assert document.format == "csaf" and document.format.label == "CSAF 2.0"
    assert [item.index for item in document.items] == [0, 1, 2, 3]
    assert document.items[0].aliases[0] == "CVE-2021-31344"
    assert document.items[0].sectors == ("energy",)
    assert document.items[0].products and document.items[0].cvss_vectors


def test_the_first_cisa_advisories_of_2022_are_all_read_as_csaf() -> None:
    paths = sorted(shared_data("csaf/cisa/2022").glob("*.json"))[:25]
    assert len(paths) == 25
    for path in paths:
        document = read_document(path.read_bytes())
        assert document.format == "csaf" and document.items, path.name


def test_a_real_osv_record_is_read_from_json() -> None:
    path = shared_data("osv/rustsec/RUSTSEC-2020-0070.json")
    document = read_document(path.read_bytes(), filename=path.name)
    (item,) = document.items
    assert document.format == "osv"
    assert item.aliases[0] == "RUSTSEC-2020-0070"
    assert {product.vendor for product in item.products} == {"crates.io"}


def test_a_real_osv_record_is_read_from_yaml(osv_path: Path) -> None:
    document = read_document(osv_path.read_bytes(), filename=osv_path.name)
    (item,) = document.items
    assert document.format == "osv"
    assert item.aliases == ("PYSEC-2023-228", "CVE-2023-5752")


def test_yaml_is_accepted_only_for_formats_that_take_it(osv_path: Path) -> None:
    error = refusal(osv_path.read_bytes(), filename=osv_path.name, declared="csaf")
    assert error.format == "csaf"
    assert error.problems[0].message == "only OSV records are accepted as YAML"


def test_a_cve_record_is_read_with_its_ssvc_hints() -> None:
    record = cve_record()
    ssvc = {"type": "ssvc", "content": {"options": [{"Exploitation": "poc"}]}}
    record["containers"]["cna"]["metrics"].append({"other": ssvc})
    document = read_document(json.dumps(record).encode())
    (item,) = document.items
    assert document.format == "cve5"
    assert (item.aliases, item.cwe, item.exploitation) == (
        ("CVE-2026-10001",),
        "CWE-121",
        "Public PoC",
    )


def test_a_sarif_log_gives_one_item_per_result() -> None:
    log = sarif_log(
        {"ruleId": "sqli", "message": {"text": "one"}},
        {"ruleId": "sqli", "message": {"text": "two"}},
    )
    document = read_document(json.dumps(log).encode())
    assert document.format == "sarif"
    assert [(item.index, item.cwe) for item in document.items] == [(0, "CWE-89"), (1, "CWE-89")]


def test_a_bad_csaf_vulnerability_is_named_by_item_and_pointer(csaf_path: Path) -> None:
    advisory = json.loads(csaf_path.read_bytes())
    advisory["vulnerabilities"][2]["cve"] = "not-a-cve"
    error = refusal(json.dumps(advisory).encode())
    assert error.format == "csaf"
    assert [(p.item, p.pointer) for p in error.problems] == [(2, "/vulnerabilities/2/cve")]


def test_a_csaf_mandatory_test_failure_is_named_by_its_place(csaf_path: Path) -> None:
    advisory = json.loads(csaf_path.read_bytes())
    advisory["vulnerabilities"][1]["product_status"]["known_affected"] = ["NO-SUCH-PRODUCT"]
    error = refusal(json.dumps(advisory).encode())
    (problem,) = error.problems
    assert problem.pointer == "/vulnerabilities/1/product_status/known_affected/0"
    assert problem.item == 1 and problem.message.startswith("CSAF 6.1.1:")


def test_results_are_numbered_across_runs_in_a_sarif_refusal() -> None:
    log = sarif_log(*({"ruleId": "sqli", "message": {"text": str(n)}} for n in range(3)))
    second = json.loads(json.dumps(log["runs"][0]))
    second["results"][1]["level"] = "fatal"
    log["runs"].append(second)
    error = refusal(json.dumps(log).encode())
    (problem,) = error.problems
    assert (error.format, problem.item) == ("sarif", 4)  # run 1's second result; run 0 had 3
    assert problem.pointer == "/runs/1/results/1/level"


def test_a_native_report_is_named_by_its_index() -> None:
    error = refusal(native({"title": "fine"}, {"title": "bad", "cwe": "89"}))
    (problem,) = error.problems
    assert (error.format, problem.item, problem.pointer) == ("native", 1, "/reports/1/cwe")


def test_a_cve_record_problem_is_its_one_item() -> None:
    record = cve_record()
    del record["cveMetadata"]["assignerOrgId"]
    error = refusal(json.dumps(record).encode())
    (problem,) = error.problems
    assert (error.format, problem.item, problem.pointer) == ("cve5", 0, "/cveMetadata")
    assert "assignerOrgId" in problem.message


def test_too_many_items_are_refused_before_any_is_validated() -> None:
    error = refusal(native(*({"title": ""} for _ in range(4))), max_items=3)
    (problem,) = error.problems
    assert (problem.pointer, problem.item) == ("/reports", None)
    assert "at most 3" in problem.message


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\xff\xfe{}", "not UTF-8 text"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b"{not json", "not valid JSON"),
        (b'{"hello": 1}', "cannot tell the format"),
    ],
)
def test_a_document_that_does_not_decode_is_refused_as_a_whole(data: bytes, message: str) -> None:
    error = refusal(data)
    (problem,) = error.problems
    assert (error.format, problem.location, problem.item) == ("", (), None)
    assert problem.message.startswith(message)
