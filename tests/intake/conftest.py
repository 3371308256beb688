"""Intake fixtures: real CISA CSAF advisories and OSV records, small documents of each format."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.shared_data import shared_data

# A real CISA ICS advisory with four vulnerabilities, in the energy sector.
CSAF_MULTI = "csaf/cisa/2022/icsa-22-069-02.json"


@pytest.fixture
def csaf_path() -> Path:
    """A real CISA CSAF advisory with more than one vulnerability."""
    return shared_data(CSAF_MULTI)


@pytest.fixture
def osv_path() -> Path:
    """A real PyPA OSV record (YAML) of a package with a CVE alias."""
    (path,) = sorted(shared_data("osv/pypi/pip").glob("PYSEC-2023-228.yaml"))
    return path


#: A finding two reporters may send: any two copies are near-certain duplicates.
FINDING = {
    "title": "Heap overflow in the Acme PLC web server login handler",
    "description": "A crafted login request overflows a heap buffer in the Acme PLC web "
    "server, letting an unauthenticated attacker run code on the controller.",
    "products": [{"vendor": "Acme", "product": "PLC 9000", "version": "<= 4.2"}],
    "cwe": "CWE-122",
}


def native(*reports: dict[str, Any]) -> bytes:
    """A native submission of the given reports."""
    return json.dumps({"reports": list(reports)}).encode()


def cve_record(cve_id: str = "CVE-2026-10001", **cna: Any) -> dict[str, Any]:
    """A minimal published CVE JSON 5.1 record that passes the whole record schema."""
    container = {
        "providerMetadata": {"orgId": "b3476cb9-2e3d-41a6-98d0-0f47421a65b6"},
        "title": "Stack overflow in Gridware RTU firmware parser",
        "descriptions": [
            {"lang": "en", "value": "A crafted DNP3 frame overflows the parser's stack."}
        ],
        "affected": [
            {
                "vendor": "Gridware Systems",
                "product": "RTU-9",
                "versions": [{"version": "4.2", "status": "affected"}],
            }
        ],
        "problemTypes": [
            {
                "descriptions": [
                    {"lang": "en", "description": "CWE-121", "cweId": "CWE-121", "type": "CWE"}
                ]
            }
        ],
        "metrics": [
            {
                "cvssV3_1": {
                    "version": "3.1",
                    "vectorString": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
                    "baseScore": 9.8,
                    "baseSeverity": "CRITICAL",
                }
            }
        ],
        "references": [{"url": "https://example.com/advisory"}],
    } | cna
    return {
        "dataType": "CVE_RECORD",
        "dataVersion": "5.1",
        "cveMetadata": {
            "cveId": cve_id,
            "assignerOrgId": "b3476cb9-2e3d-41a6-98d0-0f47421a65b6",
            "state": "PUBLISHED",
        },
        "containers": {"cna": container},
    }


def sarif_log(*results: dict[str, Any]) -> dict[str, Any]:
    """A SARIF 2.1.0 log of one run of a model-driven scanner."""
    return {
        "version": "2.1.0",
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "cirrus-vulnhunter",
                        "rules": [
                            {
                                "id": "sqli",
                                "shortDescription": {"text": "SQL injection"},
                                "properties": {"tags": ["security", "external/cwe/cwe-89"]},
                            }
                        ],
                    }
                },
                "versionControlProvenance": [
                    {"repositoryUri": "https://git.example.com/harbor/ledger"}
                ],
                "results": list(results),
            }
        ],
    }


def reports_of(client: Any, submission: int | dict[str, Any]) -> list[dict[str, Any]]:
    """A submission's reports as the API lists them to `client` (up to 500, in order)."""
    pk = submission["id"] if isinstance(submission, dict) else submission
    response = client.get(f"/api/intake/submissions/{pk}/reports?limit=500")
    assert response.status_code == 200, response.content
    body: dict[str, Any] = response.json()
    assert body["count"] == len(body["items"])
    return list(body["items"])


def submit(client: Any, body: bytes) -> dict[str, Any]:
    """POST one JSON document to the intake API; the new submission."""
    response = client.post("/api/intake/submissions", body, content_type="application/json")
    assert response.status_code == 201, response.content
    result: dict[str, Any] = response.json()
    return result


@pytest.fixture
def two_reports(cast: Any, api_as: Any, csaf_path: Path) -> tuple[int, int]:
    """The vendor's CSAF advisory, then a lab's native report of its first CVE (no CVE text).

    Dedup links the lab's report to the vendor's: another organisation's report.
    """
    from clearinghouse.intake.models import Report

    submit(api_as(cast["vendor"]), csaf_path.read_bytes())
    lab = submit(
        api_as(cast["lab1"]),
        native({"title": "Found by Cirrus", "aliases": ["CVE-2021-31344"]}),
    )
    first = Report.objects.get(cve_ids=["CVE-2021-31344"], source_format="csaf")
    (report,) = reports_of(api_as(cast["lab1"]), lab)
    return first.pk, report["id"]
