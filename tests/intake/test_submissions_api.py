"""Submitting documents through the API: formats, validation, idempotency, no partial writes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from clearinghouse.audit.models import AuditEvent
from clearinghouse.intake.models import Report, Submission

from .conftest import cve_record, native, reports_of, sarif_log

URL = "/api/intake/submissions"


def post_json(client: Any, body: bytes, **headers: str) -> Any:
    return client.post(URL, body, content_type="application/json", headers=headers)


def test_every_csaf_vulnerability_becomes_a_scored_report(cast, api_as, csaf_path: Path) -> None:
    response = post_json(api_as(cast["vendor"]), csaf_path.read_bytes())
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["format"] == "csaf"
    assert body["status"] == "completed"
    assert body["total_items"] == body["processed_items"] == 4
    reports = reports_of(api_as(cast["vendor"]), body)
    assert [r["index"] for r in reports] == [0, 1, 2, 3]
    report = Report.objects.get(pk=reports[0]["id"])
    assert report.cve_ids == ["CVE-2021-31344"]
    assert report.sectors == ["energy"]
    assert report.reporter_kind == "vendor"
    assert report.cvss_vector.startswith("CVSS:3.1/")
    assert report.cvss_score is not None
    # Energy raises mission & well-being to at least Medium; the reasons say so.
    assert report.ssvc_inputs["mission_prevalence"] == "Support"
    assert any("energy" in reason for reason in report.priority_reasons)
    assert report.item["cve"] == "CVE-2021-31344"  # the item's own part of the document


def test_osv_yaml_record_is_accepted_as_yaml(cast, api_as, osv_path: Path) -> None:
    response = api_as(cast["lab1"]).post(
        URL, osv_path.read_bytes(), content_type="application/yaml"
    )
    assert response.status_code == 201, response.content
    (report,) = reports_of(api_as(cast["lab1"]), response.json())
    stored = Report.objects.get(pk=report["id"])
    assert stored.source_format == "osv"
    assert stored.aliases == ["PYSEC-2023-228", "CVE-2023-5752"]
    assert stored.products == [{"vendor": "PyPI", "product": "pip", "purl": "pkg:pypi/pip"}]
    assert Submission.objects.get().original == osv_path.read_text()


def test_cve5_record_is_validated_whole_and_read(cast, api_as) -> None:
    response = post_json(api_as(cast["vendor"]), json.dumps(cve_record()).encode())
    assert response.status_code == 201, response.content
    report = Report.objects.get()
    assert report.cve_ids == ["CVE-2026-10001"]
    assert report.cwe == "CWE-121"
    # C:H/I:H/A:H gives SSVC technical impact Total.
    assert report.ssvc_inputs["technical_impact"] == "Total"


def test_cve5_record_missing_its_metadata_is_refused(cast, api_as) -> None:
    record = cve_record()
    del record["cveMetadata"]["assignerOrgId"]
    response = post_json(api_as(cast["vendor"]), json.dumps(record).encode())
    assert response.status_code == 422
    assert any("assignerOrgId" in item["msg"] for item in response.json()["detail"])
    assert not Submission.objects.exists()


def test_sarif_results_each_become_a_report_with_the_lab_model(cast, api_as) -> None:
    log = sarif_log(
        {"ruleId": "sqli", "message": {"text": "user input reaches the ledger query"}},
        {"ruleId": "sqli", "message": {"text": "report filter concatenated into SQL"}},
    )
    response = api_as(cast["lab1"]).post(
        f"{URL}?model=Cirrus%207&assessment=ASMT-42",
        json.dumps(log),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    reports = Report.objects.order_by("index")
    assert [r.cwe for r in reports] == ["CWE-89", "CWE-89"]
    assert {(r.reporter_kind, r.model_name, r.assessment_reference) for r in reports} == {
        ("lab", "Cirrus 7", "ASMT-42")
    }


def test_sarif_without_a_tool_name_is_refused_naming_the_place(cast, api_as) -> None:
    log = sarif_log({"ruleId": "sqli", "message": {"text": "x"}})
    del log["runs"][0]["tool"]["driver"]["name"]
    response = post_json(api_as(cast["lab1"]), json.dumps(log).encode())
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][:5] == ["document", "runs", "0", "tool", "driver"]


def test_multipart_upload_is_accepted(cast, api_as, csaf_path: Path) -> None:
    with csaf_path.open("rb") as handle:
        response = api_as(cast["vendor"]).post(URL, {"document": handle, "format": "csaf"})
    assert response.status_code == 201, response.content
    assert Submission.objects.get().filename == csaf_path.name


def test_the_same_document_again_creates_nothing(cast, api_as, csaf_path: Path) -> None:
    client = api_as(cast["vendor"])
    first = post_json(client, csaf_path.read_bytes())
    again = post_json(client, csaf_path.read_bytes())
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert reports_of(client, again.json()) == reports_of(client, first.json())
    assert Report.objects.count() == 4


def test_an_idempotency_key_returns_the_earlier_submission(cast, api_as) -> None:
    client = api_as(cast["lab1"])
    body = native({"title": "Heap overflow in parser"})
    first = post_json(client, body, **{"Idempotency-Key": "run-7"})
    again = post_json(client, body, **{"Idempotency-Key": "run-7"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    other = post_json(client, native({"title": "Another"}), **{"Idempotency-Key": "run-7"})
    assert other.status_code == 409
    assert Submission.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "where"),
    [
        (b"{not json", "not valid JSON"),
        (b'{"hello": 1}', "cannot tell the format"),
        (native({"title": ""}), "at least 1 character"),
        (native({"title": "x", "cvss_vectors": ["CVSS:3.1/AV:X"]}), "invalid CVSS vector"),
        (native({"title": "x", "sectors": ["moon"]}), "Input should be"),
    ],
)
def test_invalid_documents_are_refused_whole(cast, api_as, body: bytes, where: str) -> None:
    client = api_as(cast["lab1"])
    events = AuditEvent.objects.count()
    response = post_json(client, body)
    assert response.status_code == 422
    assert where in json.dumps(response.json())
    assert not Submission.objects.exists() and not Report.objects.exists()
    assert AuditEvent.objects.count() == events


def test_one_bad_csaf_item_refuses_the_whole_document(cast, api_as, csaf_path: Path) -> None:
    document = json.loads(csaf_path.read_bytes())
    document["vulnerabilities"][2]["cve"] = "not-a-cve"
    response = post_json(api_as(cast["vendor"]), json.dumps(document).encode())
    assert response.status_code == 422
    locations = [item["loc"] for item in response.json()["detail"]]
    assert ["document", "vulnerabilities", "2", "cve"] in locations
    assert not Report.objects.exists()


def test_too_many_items_are_refused_before_validation(cast, api_as, settings) -> None:
    settings.CLEARINGHOUSE_INTAKE_MAX_ITEMS = 3
    response = post_json(api_as(cast["lab1"]), native(*({"title": f"bug {i}"} for i in range(4))))
    assert response.status_code == 422
    assert "at most 3" in response.json()["detail"][0]["msg"]


def test_oversized_documents_are_refused(cast, api_as, settings) -> None:
    settings.CLEARINGHOUSE_INTAKE_MAX_BYTES = 100
    response = post_json(api_as(cast["lab1"]), native({"title": "x" * 200}))
    assert response.status_code == 422
    assert "byte limit" in response.json()["detail"][0]["msg"]


def test_a_body_over_the_upload_limit_is_413(cast, api_as, settings) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = post_json(api_as(cast["lab1"]), native({"title": "x" * 2000}))
    assert response.status_code == 413
    assert not Submission.objects.exists()


def test_yaml_aliases_are_refused(cast, api_as) -> None:
    bomb = b'a: &a ["x","x"]\nb: &b [*a,*a]\nc: [*b,*b]\nid: X\nmodified: "2024-01-01T00:00:00Z"\n'
    response = api_as(cast["lab1"]).post(URL, bomb, content_type="application/yaml")
    assert response.status_code == 422
    assert "anchors and aliases" in response.json()["detail"][0]["msg"]


def test_control_characters_are_stripped(cast, api_as) -> None:
    response = post_json(
        api_as(cast["lab1"]), native({"title": "Bell\x07 and \x1b[31mred", "description": "a\x7fb"})
    )
    assert response.status_code == 201
    report = Report.objects.get()
    assert (report.title, report.description) == ("Bell and [31mred", "ab")


def test_submitting_is_audited(cast, api_as) -> None:
    post_json(api_as(cast["lab1"]), native({"title": "x"}))
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert "submission.received" in actions and "submission.processed" in actions
