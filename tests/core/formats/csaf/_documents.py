"""A small hand-written CSAF 2.0 document that exercises the product tree the way real feeds do."""

from __future__ import annotations

import copy
from typing import Any

_DOCUMENT: dict[str, Any] = {
    "document": {
        "category": "csaf_security_advisory",
        "csaf_version": "2.0",
        "title": "Example Corp Gateway",
        "publisher": {
            "category": "vendor",
            "name": "Example Corp",
            "namespace": "https://example.com",
        },
        "notes": [
            {
                "category": "other",
                "title": "Critical infrastructure sectors",
                "text": "Energy, Food and Agriculture, and Water and Wastewater Systems",
            }
        ],
        "tracking": {
            "id": "EXAMPLE-2024-0001",
            "status": "final",
            "version": "1",
            "initial_release_date": "2024-01-02T00:00:00.000Z",
            "current_release_date": "2024-01-02T00:00:00.000Z",
            "revision_history": [
                {"date": "2024-01-02T00:00:00.000Z", "number": "1", "summary": "Initial."}
            ],
        },
    },
    "product_tree": {
        "branches": [
            {
                "category": "vendor",
                "name": "Example Corp",
                "branches": [
                    {
                        "category": "product_name",
                        "name": "Gateway",
                        "branches": [
                            {
                                "category": "product_version_range",
                                "name": "vers:generic/<2.4",
                                "product": {
                                    "name": "Example Corp Gateway < 2.4",
                                    "product_id": "GW-OLD",
                                    "product_identification_helper": {
                                        "cpe": "cpe:2.3:h:example:gateway:*:*:*:*:*:*:*:*"
                                    },
                                },
                            },
                            {
                                "category": "product_version",
                                "name": "2.4",
                                "product": {
                                    "name": "Example Corp Gateway 2.4",
                                    "product_id": "GW-2.4",
                                    "product_identification_helper": {
                                        "purl": "pkg:generic/example/gateway@2.4"
                                    },
                                },
                            },
                        ],
                    }
                ],
            }
        ],
        "full_product_names": [{"name": "Example OS", "product_id": "OS"}],
        "relationships": [
            {
                "category": "installed_on",
                "product_reference": "GW-OLD",
                "relates_to_product_reference": "OS",
                "full_product_name": {
                    "name": "Gateway < 2.4 on Example OS",
                    "product_id": "GW-ON-OS",
                },
            }
        ],
        "product_groups": [{"group_id": "ALL-OLD", "product_ids": ["GW-OLD", "GW-ON-OS"]}],
    },
    "vulnerabilities": [
        {
            "cve": "CVE-2024-0001",
            "title": "Stack overflow in the login page",
            "ids": [{"system_name": "Example Corp PSIRT", "text": "EX-123"}],
            "cwe": {"id": "CWE-121", "name": "Stack-based Buffer Overflow"},
            "notes": [{"category": "description", "text": "A long user name overflows a buffer."}],
            "product_status": {"known_affected": ["GW-OLD", "GW-ON-OS"], "fixed": ["GW-2.4"]},
            "scores": [
                {
                    "products": ["GW-OLD"],
                    "cvss_v3": {
                        "version": "3.1",
                        "vectorString": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
                        "baseScore": 9.8,
                        "baseSeverity": "CRITICAL",
                    },
                }
            ],
            "remediations": [
                {"category": "vendor_fix", "details": "Update to 2.4.", "group_ids": ["ALL-OLD"]}
            ],
        }
    ],
}


def example_document() -> dict[str, Any]:
    """Return a fresh copy, so a test may break it without affecting the others."""
    return copy.deepcopy(_DOCUMENT)
