"""Every route the instance serves: the page URL conf and the API's OpenAPI document.

The page patterns come from walking Django's resolver; the API operations (path and method)
from `clearinghouse.api.urls.api.get_openapi_schema()`, checked against the resolver's API
patterns so nothing is served under /api/ that the document does not describe. The admin
site's patterns are Django's own and are listed apart (`admin_patterns`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

from clearinghouse.api.urls import api

MUTATING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_CONVERTER = re.compile(r"<(?:\w+:)?(\w+)>")


@dataclass(frozen=True)
class Route:
    """One method on one path: `/api/...{param}` for the API, a Django pattern for pages."""

    method: str
    path: str

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def is_api(self) -> bool:
        return self.path.startswith("/api/")

    @property
    def params(self) -> list[str]:
        if self.is_api:
            return re.findall(r"\{(\w+)\}", self.path)
        return _CONVERTER.findall(self.path)

    def url(self, values: dict[str, object]) -> str:
        """The path with its parameters filled in."""
        if self.is_api:
            return re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), self.path)
        return "/" + _CONVERTER.sub(lambda m: str(values[m.group(1)]), self.path)


def _walk(patterns: list[URLPattern | URLResolver], prefix: str = "") -> list[str]:
    found: list[str] = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            found += _walk(entry.url_patterns, prefix + str(entry.pattern))
        else:
            found.append(prefix + str(entry.pattern))
    return found


def resolver_patterns() -> list[str]:
    """Every pattern of the URL conf, as Django spells it (`models/<int:model_id>/`)."""
    return _walk(get_resolver().url_patterns)


def api_operations() -> list[Route]:
    """Every operation of the OpenAPI document."""
    schema = api.get_openapi_schema()
    return [
        Route(method.upper(), path)
        for path, operations in schema["paths"].items()
        for method in operations
    ]


def undocumented_api_patterns() -> list[str]:
    """Patterns served under /api/ that no OpenAPI path describes (besides the docs)."""
    documented = {route.path for route in api_operations()}
    served = {
        "/" + _CONVERTER.sub(r"{\1}", pattern)
        for pattern in resolver_patterns()
        if pattern.startswith("api/")
    }
    return sorted(served - documented - {"/api/", "/api/openapi.json", "/api/docs"})


def page_patterns() -> list[str]:
    """The page patterns: everything outside /api/ and the admin site."""
    return [p for p in resolver_patterns() if not p.startswith(("api/", "admin/"))]


def admin_patterns() -> list[str]:
    """The admin site's patterns without parameters (its index and each model's lists).

    Its own sign-in and sign-out pages, and the autocomplete endpoint (which needs a query
    naming a model), are left out.
    """
    skipped = {"admin/login/", "admin/logout/", "admin/autocomplete/"}
    return [
        p
        for p in resolver_patterns()
        if p.startswith("admin/")
        and not _CONVERTER.search(p)
        and "(?P" not in p
        and p not in skipped
    ]
