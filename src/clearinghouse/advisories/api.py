"""API of the advisory store: list and read advisories, export them as an OSV zip."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema

from clearinghouse.accounts.permissions import signed_in, visible

from . import services
from .models import Advisory

router = Router(tags=["advisories"])


class AdvisoryOut(Schema):
    """An advisory's identity and summary; `document` is the OSV record as imported."""

    id: str
    modified: dt.datetime
    published: dt.datetime | None
    withdrawn: dt.datetime | None
    aliases: list[str]
    summary: str
    severity: str
    packages: list[str]

    @staticmethod
    def resolve_id(advisory: Advisory) -> str:
        return advisory.osv_id

    @staticmethod
    def resolve_packages(advisory: Advisory) -> list[str]:
        return [f"{p.ecosystem}/{p.name}" for p in advisory.packages.all()]


class AdvisoryDetailOut(AdvisoryOut):
    """One advisory with its whole OSV record."""

    document: dict[str, Any]


class AdvisoryFilter(Schema):
    """Narrow the list by package: ecosystem and normalised name, as the index keys them."""

    ecosystem: str | None = None
    package: str | None = None
    limit: int = 100
    offset: int = 0


def filtered(advisories: QuerySet[Advisory], filters: AdvisoryFilter) -> QuerySet[Advisory]:
    """Apply the list filters (shared by the API and the page)."""
    if filters.ecosystem:
        advisories = advisories.filter(packages__ecosystem=filters.ecosystem)
    if filters.package:
        advisories = advisories.filter(packages__name=filters.package)
    return advisories.distinct()


@router.get("/", response=list[AdvisoryOut])
def list_advisories(request: HttpRequest, filters: Query[AdvisoryFilter]) -> list[Advisory]:
    """Advisories, newest change first; every signed-in user sees the whole store."""
    advisories = filtered(visible(Advisory, signed_in(request)), filters)
    limit = max(1, min(filters.limit, 1000))
    window = advisories.prefetch_related("packages")[filters.offset : filters.offset + limit]
    return list(window)


@router.get("/export", response={200: None})
def export(request: HttpRequest) -> FileResponse:
    """Every advisory as an OSV zip (one `ID.json` each): `clearinghouse scan --advisories`."""
    return FileResponse(
        services.export_zip(signed_in(request)),
        as_attachment=True,
        filename="clearinghouse-osv.zip",
        content_type="application/zip",
    )


@router.get("/{advisory_id}", response=AdvisoryDetailOut)
def get_advisory(request: HttpRequest, advisory_id: str) -> Advisory:
    """One advisory by its OSV id."""
    return get_object_or_404(visible(Advisory, signed_in(request)), osv_id=advisory_id)
