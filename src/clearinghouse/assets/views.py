"""Scanning pages: assets with upload, an asset's components and findings, advisory impact."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from clearinghouse.accounts.models import SECTOR_CHOICES, Role, User
from clearinghouse.accounts.permissions import signed_in, visible
from clearinghouse.advisories.models import Advisory
from clearinghouse.audit.history import history_for
from clearinghouse.errors import Conflict, InvalidInput

from . import services
from .api import read_upload
from .forms import AssetUploadForm, FindingStatusForm, SbomReplaceForm
from .models import Asset, Finding


def _sees_scanning(user: User) -> bool:
    return user.is_program_admin or user.role in {Role.OPERATOR, Role.COORDINATOR}


def _upload(request: HttpRequest, form: AssetUploadForm) -> Asset | None:
    if not form.is_valid():
        return None
    try:
        upload = form.cleaned_data["sbom"]
        return services.upload_asset(
            signed_in(request),
            name=form.cleaned_data["name"],
            data=read_upload(upload),
            filename=upload.name or "",
        )
    except InvalidInput as error:
        form.add_service_errors(error)
    except Conflict as error:
        form.add_error("name", str(error))
    return None


@login_required
def asset_list(request: HttpRequest) -> HttpResponse:
    """The assets the user may see; operators upload new ones here."""
    user = signed_in(request)
    if not _sees_scanning(user):
        raise PermissionDenied("operator scanning is for operators and coordinators")
    form = AssetUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if user.role != Role.OPERATOR:
            raise PermissionDenied("only operators register assets")
        if asset := _upload(request, form):
            messages.success(request, f"{asset.name}: {asset.component_count} components matched.")
            return redirect("assets:detail", asset_id=asset.pk)
    assets = visible(Asset, user).select_related("organisation")
    context = {
        "assets": assets,
        "form": form,
        "can_upload": user.role == Role.OPERATOR,
        "by_severity": services.open_by_severity(user),
    }
    return render(request, "assets/list.html", context)


@login_required
def detail(request: HttpRequest, asset_id: int) -> HttpResponse:
    """An asset: its findings with their statuses, its components, and its audit trail."""
    user = signed_in(request)
    asset = get_object_or_404(visible(Asset, user).select_related("organisation"), pk=asset_id)
    findings = asset.findings.select_related("advisory", "component")
    context = {
        "asset": asset,
        "findings": findings,
        "open_count": services.open_findings(asset.findings.all()).count(),
        "components": asset.components.filter(removed_at__isnull=True),
        "not_evaluable": asset.components.filter(removed_at__isnull=True)
        .exclude(problem="")
        .count(),
        "revisions": asset.revisions.all(),
        "can_replace": user.role == Role.OPERATOR,
        "replace_form": SbomReplaceForm(),
        "can_change": user.role == Role.OPERATOR or user.is_program_admin,
        "status_form": FindingStatusForm(),
        "history": history_for(user, asset),
    }
    return render(request, "assets/detail.html", context)


@login_required
@require_POST
def finding_status(request: HttpRequest, finding_id: int) -> HttpResponse:
    """The operator changes a finding's status from the asset page."""
    user = signed_in(request)
    finding = get_object_or_404(visible(Finding, user).select_related("asset"), pk=finding_id)
    form = FindingStatusForm(request.POST)
    if form.is_valid():
        try:
            services.change_finding_status(user, finding, **form.cleaned_data)
            messages.success(
                request, f"{finding.advisory.osv_id}: now {finding.get_status_display()}."
            )
        except (InvalidInput, Conflict) as error:
            messages.error(request, str(error))
    else:
        messages.error(request, "Choose a status.")
    return redirect("assets:detail", asset_id=finding.asset_id)


@login_required
@require_POST
def replace_sbom(request: HttpRequest, asset_id: int) -> HttpResponse:
    """The operator uploads a new version of the asset's SBOM from the asset page."""
    user = signed_in(request)
    asset = get_object_or_404(visible(Asset, user), pk=asset_id)
    form = SbomReplaceForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "Choose the new SBOM file.")
        return redirect("assets:detail", asset_id=asset.pk)
    upload = form.cleaned_data["sbom"]
    try:
        revision = services.replace_sbom(
            user, asset, data=read_upload(upload), filename=upload.name or ""
        )
    except InvalidInput as error:
        messages.error(request, "; ".join(item.msg for item in error.errors))
    else:
        messages.success(
            request,
            f"Version {revision.number}: {revision.added} components added, "
            f"{revision.removed} removed, {revision.kept} unchanged.",
        )
    return redirect("assets:detail", asset_id=asset.pk)


def _require_coordinator(user: User) -> None:
    if not (user.is_program_admin or user.role == Role.COORDINATOR):
        raise PermissionDenied("the impact view is for coordinators")


@login_required
def impact_list(request: HttpRequest) -> HttpResponse:
    """Coordinators: the advisories affecting the most operators right now."""
    user = signed_in(request)
    _require_coordinator(user)
    rows = (
        services.open_findings(visible(Finding, user))
        .values("advisory__osv_id", "advisory__severity", "advisory__summary")
        .annotate(
            operators=Count("asset__organisation", distinct=True),
            assets=Count("asset", distinct=True),
            components=Count("component", distinct=True),
        )
        .order_by("-operators", "-components", "advisory__osv_id")[:100]
    )
    return render(request, "assets/impact_list.html", {"rows": rows})


@login_required
def impact(request: HttpRequest, osv_id: str) -> HttpResponse:
    """Coordinators: one advisory's affected operators, assets and components per sector."""
    user = signed_in(request)
    _require_coordinator(user)
    advisory = get_object_or_404(visible(Advisory, user), osv_id=osv_id)
    sectors = services.impact(user, advisory)
    labels = dict(SECTOR_CHOICES)
    for row in sectors:
        row["label"] = labels.get(row["sector"], row["sector"])
    return render(request, "assets/impact.html", {"advisory": advisory, "sectors": sectors})
