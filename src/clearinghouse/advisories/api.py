"""API of the advisory store: list and read advisories, export them as an OSV zip."""

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from clearinghouse.accounts.permissions import signed_in, visible
from clearinghouse.paging import Paged

from . import services
from .inputs import AdvisoryFilter
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


@router.get("/", response=list[AdvisoryOut])
@paginate(Paged)
def list_advisories(request: HttpRequest, filters: Query[AdvisoryFilter]) -> QuerySet[Advisory]:
    """Advisories, newest change first; every signed-in user sees the whole store."""
    return services.advisories_for(signed_in(request), filters).prefetch_related("packages")


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
