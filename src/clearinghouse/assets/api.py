"""API of operator scanning: upload SBOM assets, read components and findings, change statuses."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from clearinghouse.accounts.permissions import signed_in, visible
from clearinghouse.advisories.models import Advisory
from clearinghouse.errors import InvalidInput

from . import services
from .models import Asset, Component, Finding

router = Router(tags=["operator scanning"])


class AssetOut(Schema):
    """An asset (one uploaded SBOM) and what matching found."""

    id: int
    organisation: str
    sector: str
    name: str
    filename: str
    sbom_format: str
    spec_version: str
    component_count: int
    uploaded_at: dt.datetime
    matched_at: dt.datetime | None
    open_findings: int

    @staticmethod
    def resolve_organisation(asset: Asset) -> str:
        return asset.organisation.name

    @staticmethod
    def resolve_sector(asset: Asset) -> str:
        return asset.organisation.sector

    @staticmethod
    def resolve_open_findings(asset: Asset) -> int:
        return services.open_findings(asset.findings.all()).count()


class ComponentOut(Schema):
    """A component as listed, with its matcher key and why it may not be evaluable."""

    id: int
    name: str
    version: str
    purl: str
    ecosystem: str
    package: str
    problem: str


class FindingOut(Schema):
    """An advisory matched to a component, and the operator's status for it."""

    id: int
    asset_id: int
    component: ComponentOut
    advisory_id: str
    severity: str
    summary: str
    verdict: str
    reason: str
    status: str
    risk_reason: str
    risk_expires: dt.date | None
    status_changed_at: dt.datetime

    @staticmethod
    def resolve_advisory_id(finding: Finding) -> str:
        return finding.advisory.osv_id

    @staticmethod
    def resolve_severity(finding: Finding) -> str:
        return finding.advisory.severity

    @staticmethod
    def resolve_summary(finding: Finding) -> str:
        return finding.advisory.summary


class StatusIn(Schema):
    """A status the operator sets: open, accepted_risk (with reason and expiry), remediated."""

    status: str
    reason: str = ""
    expires: dt.date | None = None


class SectorImpactOut(Schema):
    """How many operators, assets and components of one sector an advisory affects."""

    sector: str
    operators: int
    assets: int
    components: int
    unknown: int


class ImpactOut(Schema):
    """An advisory's impact, sector by sector."""

    advisory_id: str
    sectors: list[SectorImpactOut]


def _visible_asset(request: HttpRequest, asset_id: int) -> Asset:
    return get_object_or_404(
        visible(Asset, signed_in(request)).select_related("organisation"), pk=asset_id
    )


def read_upload(upload: UploadedFile) -> bytes:
    """Read an uploaded SBOM, refusing (422) one over the limit before holding it in memory."""
    limit = services.max_sbom_bytes()
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise InvalidInput.single("sbom", f"larger than the {limit:,}-byte limit")
    return bytes(data)


@router.get("/", response=list[AssetOut])
def list_assets(request: HttpRequest) -> list[Asset]:
    """Assets I may see: my organisation's; coordinators and admins see every operator's."""
    return list(visible(Asset, signed_in(request)).select_related("organisation"))


@router.post("/", response={201: AssetOut})
def upload_asset(request: HttpRequest, name: Form[str], sbom: File[UploadedFile]) -> Status[Asset]:
    """Upload an SBOM (CycloneDX JSON/XML, SPDX JSON/tag-value) as a named asset; matched now."""
    asset = services.upload_asset(
        signed_in(request), name=name, data=read_upload(sbom), filename=sbom.name or ""
    )
    return Status(201, asset)


class RevisionOut(Schema):
    """One SBOM version of an asset and how it differed from the one before."""

    number: int
    filename: str
    sbom_format: str
    component_count: int
    added: int
    removed: int
    kept: int
    uploaded_at: dt.datetime


@router.post("/{asset_id}/sbom", response=RevisionOut)
def replace_sbom(request: HttpRequest, asset_id: int, sbom: File[UploadedFile]) -> Any:
    """Upload a new version of the asset's SBOM: removed components' findings are closed."""
    asset = _visible_asset(request, asset_id)
    return services.replace_sbom(
        signed_in(request), asset, data=read_upload(sbom), filename=sbom.name or ""
    )


@router.get("/{asset_id}/revisions", response=list[RevisionOut])
def list_revisions(request: HttpRequest, asset_id: int) -> list[Any]:
    """The asset's SBOM versions, newest first."""
    return list(_visible_asset(request, asset_id).revisions.all())


@router.get("/findings/{finding_id}", response=FindingOut)
def get_finding(request: HttpRequest, finding_id: int) -> Finding:
    """One finding."""
    return get_object_or_404(
        visible(Finding, signed_in(request)).select_related("advisory", "component"), pk=finding_id
    )


@router.post("/findings/{finding_id}/status", response=FindingOut)
def change_status(request: HttpRequest, finding_id: int, payload: StatusIn) -> Finding:
    """Set a finding's status; the change is audited."""
    finding = get_finding(request, finding_id)
    return services.change_finding_status(signed_in(request), finding, **payload.model_dump())


@router.get("/impact/{advisory_id}", response=ImpactOut)
def advisory_impact(request: HttpRequest, advisory_id: str) -> dict[str, Any]:
    """Operators, assets and components an advisory affects, per sector (coordinators)."""
    user = signed_in(request)
    advisory = get_object_or_404(visible(Advisory, user), osv_id=advisory_id)
    return {"advisory_id": advisory.osv_id, "sectors": services.impact(user, advisory)}


@router.get("/{asset_id}", response=AssetOut)
def get_asset(request: HttpRequest, asset_id: int) -> Asset:
    """One asset."""
    return _visible_asset(request, asset_id)


@router.get("/{asset_id}/components", response=list[ComponentOut])
def list_components(request: HttpRequest, asset_id: int) -> list[Component]:
    """The asset's components, with why any could not be evaluated."""
    return list(_visible_asset(request, asset_id).components.filter(removed_at__isnull=True))


@router.get("/{asset_id}/findings", response=list[FindingOut])
def list_findings(request: HttpRequest, asset_id: int, status: str | None = None) -> list[Finding]:
    """The asset's findings, optionally of one status."""
    findings = _visible_asset(request, asset_id).findings.select_related("advisory", "component")
    if status:
        findings = findings.filter(status=status)
    return list(findings)
