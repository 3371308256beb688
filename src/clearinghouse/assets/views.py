"""Scanning pages: assets with upload, an asset's components and findings, advisory impact."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from clearinghouse.accounts.models import SECTOR_CHOICES
from clearinghouse.accounts.permissions import require, signed_in, visible
from clearinghouse.advisories.models import Advisory
from clearinghouse.audit.history import history_for
from clearinghouse.errors import Conflict, InvalidInput
from clearinghouse.inputs import parse, show_errors
from clearinghouse.paging import first_page, page_of

from . import services
from .api import read_upload
from .forms import AssetUploadForm, FindingStatusForm, SbomReplaceForm
from .inputs import ChangeFindingStatus, FindingFilter, RegisterAsset, ReplaceSbom
from .models import Asset, Finding

#: Advisories the impact list shows, most operators first.
IMPACT_ROWS = 100


def _upload(request: HttpRequest, form: AssetUploadForm) -> Asset | None:
    if not form.is_valid():
        return None
    upload = form.cleaned_data["sbom"]
    try:
        command = parse(
            RegisterAsset, {"name": form.cleaned_data["name"], "filename": upload.name[:255]}
        )
        return services.upload_asset(signed_in(request), command, read_upload(upload))
    except InvalidInput as error:
        show_errors(form, error)
    except Conflict as error:
        form.add_error("name", str(error))
    return None


@login_required
def asset_list(request: HttpRequest) -> HttpResponse:
    """The assets the user may see, a page at a time; operators upload new ones here."""
    user = signed_in(request)
    require(user, "assets.browse")
    form = AssetUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        require(user, "assets.upload")
        if asset := _upload(request, form):
            messages.success(request, f"{asset.name}: {asset.component_count} components matched.")
            return redirect("assets:detail", asset_id=asset.pk)
    context = {
        "page": page_of(request, services.assets_for(user)),
        "form": form,
        "by_severity": services.open_by_severity(user),
    }
    return render(request, "assets/list.html", context)


def _finding_filter(request: HttpRequest) -> FindingFilter:
    """The findings list's filter from the URL; a value it cannot use is said and left out."""
    chosen = {"status": request.GET["status"]} if request.GET.get("status") else {}
    try:
        return parse(FindingFilter, chosen)
    except InvalidInput as error:
        messages.error(request, f"Filter not applied: {error}")
        return FindingFilter()


@login_required
def detail(request: HttpRequest, asset_id: int) -> HttpResponse:
    """An asset: its findings a page at a time, its first components, its audit trail."""
    user = signed_in(request)
    asset = get_object_or_404(services.assets_for(user), pk=asset_id)
    current = asset.components.filter(removed_at__isnull=True)
    filters = _finding_filter(request)
    context = {
        "asset": asset,
        "filters": filters,
        "statuses": Finding.Status.choices,
        "page": page_of(request, services.findings_of(asset, filters)),
        "components": first_page(current),
        "not_evaluable": current.exclude(problem="").count(),
        "revisions": first_page(asset.revisions.all()),
        "replace_form": SbomReplaceForm(),
        "status_form": FindingStatusForm(),
        "history": history_for(user, asset, newest=50),
    }
    return render(request, "assets/detail.html", context)


@login_required
def components(request: HttpRequest, asset_id: int) -> HttpResponse:
    """An asset's current components, a page at a time, with why any could not be evaluated."""
    asset = get_object_or_404(visible(Asset, signed_in(request)), pk=asset_id)
    rows = asset.components.filter(removed_at__isnull=True)
    context = {"asset": asset, "page": page_of(request, rows)}
    return render(request, "assets/components.html", context)


def _status_command(form: FindingStatusForm) -> ChangeFindingStatus:
    given: dict[str, Any] = {k: v for k, v in form.cleaned_data.items() if v not in ("", None)}
    return parse(ChangeFindingStatus, given)


@login_required
@require_POST
def finding_status(request: HttpRequest, finding_id: int) -> HttpResponse:
    """The operator changes a finding's status from the asset page."""
    user = signed_in(request)
    finding = get_object_or_404(visible(Finding, user).select_related("advisory"), pk=finding_id)
    form = FindingStatusForm(request.POST)
    if form.is_valid():
        try:
            changed = services.change_finding_status(user, finding, _status_command(form))
            messages.success(
                request, f"{finding.advisory.osv_id}: now {changed.get_status_display()}."
            )
        except InvalidInput as error:
            show_errors(form, error)
            messages.error(request, f"{finding.advisory.osv_id}: {_said(form)}")
        except Conflict as error:
            messages.error(request, f"{finding.advisory.osv_id}: {error}")
    else:
        messages.error(request, f"{finding.advisory.osv_id}: {_said(form)}")
    return redirect("assets:detail", asset_id=finding.asset_id)


def _said(form: FindingStatusForm) -> str:
    return "; ".join(
        f"{name}: {message}" if name != "__all__" else str(message)
        for name, errors in form.errors.items()
        for message in errors
    )


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
        command = parse(ReplaceSbom, {"filename": upload.name[:255]})
        revision = services.replace_sbom(user, asset, command, read_upload(upload))
    except InvalidInput as error:
        messages.error(request, "; ".join(item.msg for item in error.errors))
    except Conflict as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            f"Version {revision.number}: {revision.added} components added, "
            f"{revision.removed} removed, {revision.kept} unchanged.",
        )
    return redirect("assets:detail", asset_id=asset.pk)


@login_required
def impact_list(request: HttpRequest) -> HttpResponse:
    """Coordinators: the advisories affecting the most operators right now."""
    user = signed_in(request)
    require(user, "assets.see_impact")
    rows = (
        services.open_findings(visible(Finding, user))
        .order_by()
        .values("advisory__osv_id", "advisory__severity", "advisory__summary")
        .annotate(
            operators=Count("asset__organisation", distinct=True),
            assets=Count("asset", distinct=True),
            components=Count("component", distinct=True),
        )
        .order_by("-operators", "-components", "advisory__osv_id")[:IMPACT_ROWS]
    )
    return render(request, "assets/impact_list.html", {"rows": rows})


@login_required
def impact(request: HttpRequest, osv_id: str) -> HttpResponse:
    """Coordinators: one advisory's affected operators, assets and components per sector."""
    user = signed_in(request)
    require(user, "assets.see_impact")
    advisory = get_object_or_404(visible(Advisory, user), osv_id=osv_id)
    sectors = services.impact(user, advisory)
    labels = dict(SECTOR_CHOICES)
    for row in sectors:
        row["label"] = labels.get(row["sector"], row["sector"])
    return render(request, "assets/impact.html", {"advisory": advisory, "sectors": sectors})
