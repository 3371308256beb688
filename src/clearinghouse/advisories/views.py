"""Advisory pages: the store, searchable by package, and one advisory's record."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from clearinghouse.accounts.permissions import can, signed_in, visible
from clearinghouse.errors import InvalidInput
from clearinghouse.inputs import parse
from clearinghouse.paging import page_of

from . import services
from .inputs import AdvisoryFilter
from .models import Advisory


def _filters(request: HttpRequest) -> AdvisoryFilter:
    """The list's filter from its URL; a value it cannot use is said and left out."""
    chosen = {name: request.GET[name] for name in ("ecosystem", "package") if request.GET.get(name)}
    try:
        return parse(AdvisoryFilter, chosen)
    except InvalidInput as error:
        messages.error(request, f"Filter not applied: {error}")
        return AdvisoryFilter()


@login_required
def advisory_list(request: HttpRequest) -> HttpResponse:
    """Advisories, newest change first, narrowed by ecosystem and package name, paged."""
    filters = _filters(request)
    advisories = services.advisories_for(signed_in(request), filters)
    return render(
        request, "advisories/list.html", {"page": page_of(request, advisories), "filters": filters}
    )


@login_required
def detail(request: HttpRequest, osv_id: str) -> HttpResponse:
    """One advisory: summary, packages and ranges; coordinators get a link to its impact."""
    user = signed_in(request)
    advisory = get_object_or_404(visible(Advisory, user), osv_id=osv_id)
    context = {
        "advisory": advisory,
        "affected": advisory.document.get("affected") or [],
        "references": advisory.document.get("references") or [],
        "sees_impact": can(user, "assets.see_impact"),
    }
    return render(request, "advisories/detail.html", context)
