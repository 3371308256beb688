"""The authorization matrix: every route by every role by own or other tenant, as declared.

Routes come from the URL conf and the OpenAPI document (tests/security/routes.py); the
expected answers from tests/security/access_matrix.py; the objects from the seeded world
(tests/security/world.py). One test per route makes every cell's request and lists every
unexpected answer at once.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.http import HttpResponse

from . import access_matrix as matrix
from .cells import Cell, attempt, cells, object_kind
from .routes import (
    MUTATING,
    Route,
    admin_patterns,
    api_operations,
    page_patterns,
    undocumented_api_patterns,
)
from .world import ROLES, World

pytestmark = pytest.mark.django_db

DECLARED = matrix.API | matrix.PAGES
REFUSED = "refused"


def _route(key: str) -> Route:
    method, _, path = key.partition(" ")
    return Route(method, path)


def expected(route: Route, who: matrix.Who, cell: Cell) -> int | str:
    """The cell's declared answer: "allowed", or the refusal's status (302 to sign in)."""
    if who.allows(cell.role, cell.tenancy):
        return "allowed"
    if cell.role == "anonymous":
        if "anonymous" in who.not_found:  # a route that is not there for anyone
            return 404
        return 401 if route.is_api else 302
    kind = object_kind(route)
    if kind is not None and not matrix.SEES[kind].allows(cell.role, cell.tenancy):
        return 404
    if kind is None and cell.role in who.not_found:
        return 404
    return 403


def _signs_in(response: Any) -> bool:
    return response.status_code == 302 and "/login/" in response["Location"]


def answered(route: Route, response: HttpResponse) -> int | str:
    """What the answer was: a refusal's status, or "allowed" (anything else below 500).

    Signing out ends on the sign-in page: there that redirect is the answer, not a refusal.
    """
    code = response.status_code
    if code >= 500:
        return f"{code} server error"
    sent_to_sign_in = _signs_in(response) and route.key not in matrix.SIGNS_OUT
    if code in {401, 403, 404} or (code == 302 and not route.is_api and sent_to_sign_in):
        return code
    return "allowed"


def _check(world: World, route: Route, who: matrix.Who) -> list[str]:
    unexpected = []
    variants = [
        {param: value}
        for param, values in matrix.VARIANTS.items()
        if param in route.params
        for value in values
    ] or [{}]
    for role in ROLES:
        for extra in variants:
            for cell in cells(world, route, role, extra):
                response, changed = attempt(world, cell, who, fresh=route.key in matrix.SIGNS_OUT)
                want, got = expected(route, who, cell), answered(route, response)
                if want != got:
                    unexpected.append(f"{cell}: expected {want}, answered {got}")
                elif got != "allowed" and route.method in MUTATING and changed:
                    unexpected.append(f"{cell}: refused with {got} but changed stored data")
    return unexpected


@pytest.mark.parametrize("key", sorted(DECLARED))
def test_every_cell_answers_as_declared(world: World, key: str) -> None:
    route = _route(key)
    unexpected = _check(world, route, DECLARED[key])
    assert not unexpected, "\n".join(unexpected)


def test_every_route_is_declared() -> None:
    """New routes fail until declared; declared routes that are gone fail too."""
    served = {route.key for route in api_operations()}
    pages = set(page_patterns())
    declared_pages = {_route(key).path for key in matrix.PAGES}
    undeclared = sorted(served - set(matrix.API)) + sorted(
        f"{pattern!r} (a page: declare its GET and/or POST)" for pattern in pages - declared_pages
    )
    assert not undeclared, "declare in tests/security/access_matrix.py: " + ", ".join(undeclared)
    stale = sorted(set(matrix.API) - served) + sorted(declared_pages - pages)
    assert not stale, "declared but not served: " + ", ".join(stale)
    assert not undocumented_api_patterns(), "served under /api/ without an OpenAPI path"


def test_the_matrix_asks_every_role_of_the_cast(cast) -> None:
    assert set(ROLES) == {"anonymous", *cast}


@pytest.mark.parametrize("pattern", admin_patterns())
def test_the_admin_site_is_for_administrators_only(world: World, pattern: str) -> None:
    """Its index and every model's pages: others are sent to its sign-in page.

    An administrator may still get a 403 where the admin is read-only (adding audit events).
    """
    for role in ROLES:
        response = world.pages[role].get("/" + pattern)
        allowed = matrix.ADMIN_SITE.allows(role, "-")
        if allowed:
            assert response.status_code < 500, (role, pattern, response.status_code)
            assert not _signs_in(response), (role, pattern)
        else:
            assert response.status_code == 302, (role, pattern, response.status_code)
            assert response["Location"].startswith("/admin/login/"), (role, pattern)
