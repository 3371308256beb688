"""Every list is paged on the server with its total: one pagination for the API, one for pages.

API routes take `limit` and `offset` (validated: a bad value is a 422, never a 5xx or an
unbounded read) and answer `{"items": [...], "count": N}` through django-ninja's
`@paginate(Paged)`. Pages take `?page=N` and show the shared `web/_pagination.html`
control, which keeps the list's other query parameters (its filters and sort) in each link.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from django.core.paginator import Page, Paginator
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

#: Rows of a page or an API answer unless the caller asks for fewer (or, in the API, more).
PER_PAGE = 50
#: The most one API answer carries; a larger `limit` is refused.
MAX_LIMIT = 500
#: The furthest a list can be read into; beyond it, filter the list instead.
MAX_OFFSET = 10_000_000

M = TypeVar("M", bound=Model)


class Paged(LimitOffsetPagination):
    """`limit` (1 to 500, default 50) and `offset` (0 to 10,000,000) for an API list."""

    class Input(Schema):
        limit: int = Field(PER_PAGE, ge=1, le=MAX_LIMIT, description="rows to return")
        offset: int = Field(0, ge=0, le=MAX_OFFSET, description="rows to skip")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_limit=MAX_LIMIT, **kwargs)


def page_of(
    request: HttpRequest, rows: QuerySet[M] | Sequence[Any], *, per_page: int = PER_PAGE
) -> Page[Any]:
    """The page of `rows` that `?page=` asks for; an unusable number gives the nearest page."""
    return Paginator(rows, per_page).get_page(request.GET.get("page"))


def first_page(rows: QuerySet[M] | Sequence[Any], *, per_page: int = 10) -> Page[Any]:
    """The first `per_page` rows of a list with its total, for a dashboard linking to the list."""
    return Paginator(rows, per_page).get_page(1)
