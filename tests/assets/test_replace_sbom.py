"""Replacing an asset's SBOM: components diffed, removed ones' findings closed, history kept."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from clearinghouse.assets.inputs import ChangeFindingStatus, OperatorStatus, RegisterAsset
from clearinghouse.assets.matching import components_for
from clearinghouse.assets.models import Asset, Component, Finding
from clearinghouse.assets.services import change_finding_status, upload_asset
from clearinghouse.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def bom(*components: tuple[str, str]) -> bytes:
    items = [
        {"type": "library", "name": name, "version": version, "purl": f"pkg:pypi/{name}@{version}"}
        for name, version in components
    ]
    return json.dumps(
        {"bomFormat": "CycloneDX", "specVersion": "1.5", "components": items}
    ).encode()


V1 = bom(("pip", "1.3"), ("pip", "19.0"), ("requests", "2.0"))
V2 = bom(("pip", "19.0"), ("requests", "2.0"), ("pip", "21.0"))


@pytest.fixture
def scada(cast, pip_advisories):
    asset = upload_asset(cast["operator"], RegisterAsset(name="SCADA", filename="v1.json"), V1)
    accepted = Finding.objects.filter(asset=asset, component__version="19.0")[0]
    change_finding_status(
        cast["operator"],
        accepted,
        ChangeFindingStatus(
            status=OperatorStatus.ACCEPTED_RISK,
            reason="isolated network",
            expires=timezone.now().date() + dt.timedelta(days=30),
        ),
    )
    return asset


def _upload(client, asset, data, name="v2.json"):
    return client.post(f"/api/assets/{asset.pk}/sbom", {"sbom": SimpleUploadedFile(name, data)})


def test_a_new_sbom_version_closes_removed_components_findings_and_keeps_the_rest(
    cast, api_as, scada
):
    assert Finding.objects.filter(asset=scada).count() == 8  # pip 1.3: 5, pip 19.0: 3
    response = _upload(api_as(cast["operator"]), scada, V2)
    assert response.status_code == 200, response.content
    assert response.json() | {"uploaded_at": None} == {
        "number": 2,
        "filename": "v2.json",
        "sbom_format": response.json()["sbom_format"],
        "component_count": 3,
        "added": 1,
        "removed": 1,
        "kept": 2,
        "uploaded_at": None,
    }
    statuses = {
        (version, status): count
        for version, status, count in [
            (v, s, Finding.objects.filter(asset=scada, component__version=v, status=s).count())
            for v in ("1.3", "19.0", "21.0")
            for s in ("open", "accepted_risk", "resolved")
        ]
        if count
    }
    assert statuses == {
        ("1.3", "resolved"): 5,
        ("19.0", "open"): 2,
        ("19.0", "accepted_risk"): 1,
        ("21.0", "open"): 2,
    }
    # The removed component stays, marked, with its findings' history; re-matching skips it.
    removed = Component.objects.get(asset=scada, version="1.3")
    assert removed.removed_at is not None
    assert removed.pk not in {c.pk for c in components_for([("PyPI", "pip")])}
    closed = AuditEvent.objects.filter(
        action="finding.status_changed", after__contains="no longer in the asset"
    )
    assert closed.count() == 5
    replaced = AuditEvent.objects.get(action="asset.sbom_replaced")
    assert json.loads(replaced.after)["findings_closed"] == 5
    assert replaced.actor == cast["operator"]
    listed = api_as(cast["operator"]).get(f"/api/assets/{scada.pk}/components").json()["items"]
    assert sorted(c["version"] for c in listed) == ["19.0", "2.0", "21.0"]
    revisions = api_as(cast["operator"]).get(f"/api/assets/{scada.pk}/revisions").json()["items"]
    assert [(r["number"], r["filename"]) for r in revisions] == [(2, "v2.json"), (1, "v1.json")]


def test_only_the_owning_operator_replaces_and_bad_input_changes_nothing(
    cast, api_as, org, user_in, scada
):
    other = user_in("operator", org("Other Grid", "operator", sector="energy"))
    assert _upload(api_as(other), scada, V2).status_code == 404
    assert _upload(api_as(cast["coordinator"]), scada, V2).status_code == 403
    bad = _upload(api_as(cast["operator"]), scada, b"{not json", "v2.json")
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-1] == "sbom"
    scada.refresh_from_db()
    assert scada.revision == 1 and scada.revisions.count() == 1
    assert Component.objects.filter(asset=scada, removed_at__isnull=False).count() == 0
    assert not Finding.objects.filter(asset=scada, status="resolved").exists()


def test_the_asset_page_replaces_the_sbom_and_shows_its_versions(cast, pages_as, scada):
    client = pages_as(cast["operator"])
    page = client.get(f"/assets/{scada.pk}/").content.decode()
    assert 'data-testid="replace-sbom"' in page and 'data-testid="revisions"' in page
    response = client.post(
        f"/assets/{scada.pk}/sbom/", {"sbom": SimpleUploadedFile("v2.json", V2)}, follow=True
    )
    page = response.content.decode()
    assert "Version 2: 1 components added, 1 removed, 2 unchanged." in page
    assert "asset.sbom_replaced" in page
    assert Asset.objects.get(pk=scada.pk).revision == 2
    coordinator = pages_as(cast["coordinator"])
    assert (
        'data-testid="replace-sbom"' not in coordinator.get(f"/assets/{scada.pk}/").content.decode()
    )
    denied = coordinator.post(f"/assets/{scada.pk}/sbom/", {"sbom": SimpleUploadedFile("x", V2)})
    assert denied.status_code == 403
    bad = client.post(
        f"/assets/{scada.pk}/sbom/", {"sbom": SimpleUploadedFile("v3.json", b"{")}, follow=True
    )
    (message,) = bad.context["messages"]
    assert message.level_tag == "error" and str(message) != "Choose the new SBOM file."
    assert Asset.objects.get(pk=scada.pk).revision == 2
