"""Advisory pages: the store, searchable by package, and one advisory's record."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from clearinghouse.accounts.models import Role
from clearinghouse.accounts.permissions import signed_in, visible

from .api import AdvisoryFilter, filtered
from .models import Advisory

PAGE_SIZE = 50


@login_required
def advisory_list(request: HttpRequest) -> HttpResponse:
    """Advisories, newest change first, narrowed by ecosystem and package name."""
    filters = AdvisoryFilter(
        ecosystem=request.GET.get("ecosystem") or None,
        package=request.GET.get("package") or None,
    )
    advisories = filtered(visible(Advisory, signed_in(request)), filters)
    page = Paginator(advisories, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "advisories/list.html", {"page": page, "filters": filters})


@login_required
def detail(request: HttpRequest, osv_id: str) -> HttpResponse:
    """One advisory: summary, packages and ranges; coordinators get a link to its impact."""
    user = signed_in(request)
    advisory = get_object_or_404(visible(Advisory, user), osv_id=osv_id)
    context = {
        "advisory": advisory,
        "affected": advisory.document.get("affected") or [],
        "references": advisory.document.get("references") or [],
        "sees_impact": user.is_program_admin or user.role == Role.COORDINATOR,
    }
    return render(request, "advisories/detail.html", context)
