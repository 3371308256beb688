"""CVE JSON 5 records are validated whole (metadata and every container), then read."""

from __future__ import annotations

import copy

import pytest

from clearinghouse.core.formats.cve5 import Cve5Error, parse_cve5, schema_errors
from tests.intake.conftest import cve_record


def test_a_published_record_is_read() -> None:
    record = cve_record()
    record["containers"]["adp"] = [
        {
            "providerMetadata": {"orgId": "134c704f-9b21-4f2e-91b3-4a467353bcc0"},
            "metrics": [
                {
                    "other": {
                        "type": "ssvc",
                        "content": {
                            "options": [
                                {"Exploitation": "poc"},
                                {"Automatable": "yes"},
                                {"Technical Impact": "total"},
                            ]
                        },
                    }
                }
            ],
        }
    ]
    parsed = parse_cve5(record)
    assert parsed.cve_id == "CVE-2026-10001"
    assert parsed.cwe_ids == ("CWE-121",)
    assert parsed.affected[0].versions == ("4.2",)
    assert parsed.cvss_vectors == ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",)
    assert parsed.ssvc_options["Exploitation"] == "poc"


def test_problems_outside_the_cna_container_are_found() -> None:
    record = cve_record()
    record["cveMetadata"]["cveId"] = "CVE-26-1"
    record["dataVersion"] = "4.0"
    problems = schema_errors(record)
    assert problems, "the metadata is outside the CNA container and must still be checked"
    with pytest.raises(Cve5Error):
        parse_cve5(record)


def test_a_rejected_record_describes_no_vulnerability() -> None:
    record = copy.deepcopy(cve_record())
    record["cveMetadata"]["state"] = "REJECTED"
    record["containers"]["cna"] = {
        "providerMetadata": {"orgId": "b3476cb9-2e3d-41a6-98d0-0f47421a65b6"},
        "rejectedReasons": [{"lang": "en", "value": "Duplicate of CVE-2026-10000."}],
    }
    with pytest.raises(Cve5Error, match="REJECTED record describes no vulnerability"):
        parse_cve5(record)
