"""API of operator scanning: upload SBOM assets, read components and findings, change statuses."""

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from clearinghouse.accounts.permissions import signed_in, visible
from clearinghouse.advisories.models import Advisory
from clearinghouse.errors import InvalidInput
from clearinghouse.inputs import parse
from clearinghouse.paging import Paged

from . import services
from .inputs import ChangeFindingStatus, FindingFilter, RegisterAsset, ReplaceSbom
from .models import Asset, AssetRevision, Component, Finding, FindingStatusChange

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
        return int(asset.open_count)  # type: ignore[attr-defined]  # services.assets_for


class ComponentOut(Schema):
    """A component as listed, with its matcher key and why it may not be evaluable."""

    id: int
    name: str
    version: str
    purl: str
    ecosystem: str
    package: str
    problem: str


class AssetFindingOut(Schema):
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
    return get_object_or_404(services.assets_for(signed_in(request)), pk=asset_id)


def read_upload(upload: UploadedFile) -> bytes:
    """Read an uploaded SBOM, refusing (422) one over the limit before holding it in memory."""
    limit = services.max_sbom_bytes()
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise InvalidInput.single("sbom", f"larger than the {limit:,}-byte limit")
    return bytes(data)


@router.get("/", response=list[AssetOut])
@paginate(Paged)
def list_assets(request: HttpRequest) -> QuerySet[Asset]:
    """Assets I may see: my organisation's; coordinators and admins see every operator's."""
    return services.assets_for(signed_in(request))


@router.post("/", response={201: AssetOut})
def upload_asset(request: HttpRequest, name: Form[str], sbom: File[UploadedFile]) -> Status[Asset]:
    """Upload an SBOM (CycloneDX JSON/XML, SPDX JSON/tag-value) as a named asset; matched now."""
    user = signed_in(request)
    command = parse(RegisterAsset, {"name": name, "filename": (sbom.name or "")[:255]})
    asset = services.upload_asset(user, command, read_upload(sbom))
    return Status(201, _visible_asset(request, asset.pk))


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
    command = parse(ReplaceSbom, {"filename": (sbom.name or "")[:255]})
    return services.replace_sbom(signed_in(request), asset, command, read_upload(sbom))


@router.get("/{asset_id}/revisions", response=list[RevisionOut])
@paginate(Paged)
def list_revisions(request: HttpRequest, asset_id: int) -> QuerySet[AssetRevision]:
    """The asset's SBOM versions, newest first."""
    return _visible_asset(request, asset_id).revisions.all()


@router.get("/findings/{finding_id}", response=AssetFindingOut)
def get_finding(request: HttpRequest, finding_id: int) -> Finding:
    """One finding."""
    return get_object_or_404(
        visible(Finding, signed_in(request)).select_related("advisory", "component"), pk=finding_id
    )


@router.post("/findings/{finding_id}/status", response=AssetFindingOut)
def change_status(request: HttpRequest, finding_id: int, payload: ChangeFindingStatus) -> Finding:
    """Set a finding's status (the owning operator or an admin); audited.

    409 when the move is not allowed from the finding's current status (named in the answer),
    or when `seen` is given and the finding has moved since.
    """
    finding = get_finding(request, finding_id)
    services.change_finding_status(signed_in(request), finding, payload)
    return get_finding(request, finding_id)


class StatusChangeOut(Schema):
    """One move of a finding's status; `by` is hidden from viewers who may not know the actor."""

    from_status: str
    status: str
    risk_expires: dt.date | None
    at: dt.datetime
    why: str
    by: str

    @staticmethod
    def resolve_by(change: FindingStatusChange, context: dict[str, Any]) -> str:
        return services.changed_by(signed_in(context["request"]), change)


@router.get("/findings/{finding_id}/changes", response=list[StatusChangeOut])
@paginate(Paged)
def finding_changes(request: HttpRequest, finding_id: int) -> QuerySet[FindingStatusChange]:
    """A finding's timeline: every change of its status, oldest first."""
    return services.status_changes(signed_in(request), get_finding(request, finding_id))


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
@paginate(Paged)
def list_components(request: HttpRequest, asset_id: int) -> QuerySet[Component]:
    """The asset's components, with why any could not be evaluated."""
    return _visible_asset(request, asset_id).components.filter(removed_at__isnull=True)


@router.get("/{asset_id}/findings", response=list[AssetFindingOut])
@paginate(Paged)
def list_findings(
    request: HttpRequest, asset_id: int, filters: Query[FindingFilter]
) -> QuerySet[Finding]:
    """The asset's findings, optionally of one status."""
    return services.findings_of(_visible_asset(request, asset_id), filters)
