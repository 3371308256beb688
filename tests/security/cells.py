"""Filling a route's path for a role and tenancy, making the request, and what it changed."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.forms.models import model_to_dict
from django.http import HttpResponse
from django.test import Client

from .access_matrix import Who
from .routes import MUTATING, Route
from .world import World

#: The kind of object each path parameter names (`finding_id` depends on the area).
PARAM_KIND = {
    "model_id": "model",
    "notice_id": "notice",
    "track_id": "track",
    "grant_id": "grant",
    "submission_id": "submission",
    "report_id": "report",
    "asset_id": "asset",
    "run_id": "platform_run",
    "candidate_id": "candidate",
    "endpoint_id": "endpoint",
    "token_id": "token",
    "advisory_id": "advisory",
    "osv_id": "advisory",
}
#: Parameters that are not objects: the first log of a run.
FIXED = {"index": 0}


def kind_of(route: Route, param: str) -> str:
    if param == "finding_id":
        return "review_finding" if "reviews" in route.path else "asset_finding"
    return PARAM_KIND[param]


@dataclass(frozen=True)
class Cell:
    """One request of the matrix: a route as a role, on its own or another tenant's object."""

    route: Route
    role: str
    tenancy: str  # "own", "other", or "-" for routes without an object
    values: tuple[tuple[str, object], ...]

    @property
    def url(self) -> str:
        return self.route.url(dict(self.values))

    def __str__(self) -> str:
        return f"{self.route.key} as {self.role} ({self.tenancy}: {self.url})"


def object_kind(route: Route) -> str | None:
    """The tenant object a route acts on: its last object parameter's kind."""
    kinds = [kind_of(route, p) for p in route.params if p not in FIXED and p != "action"]
    return kinds[-1] if kinds else None


def cells(world: World, route: Route, role: str, extra: Mapping[str, object]) -> Iterator[Cell]:
    """The route's cells for `role`: own and other tenant's object where it takes one."""
    params = [p for p in route.params if p not in FIXED and p not in extra]
    fixed = {p: FIXED[p] for p in route.params if p in FIXED} | dict(extra)
    if not params:
        yield Cell(route, role, "-", tuple(sorted(fixed.items())))
        return
    for tenancy in ("own", "other"):
        values = dict(fixed)
        for param in params:
            kind = kind_of(route, param)
            key = world.own(kind, role) if tenancy == "own" else world.other(kind, role)
            if key is None:
                break
            values[param] = key
        else:
            yield Cell(route, role, tenancy, tuple(sorted(values.items())))


def request(world: World, cell: Cell, who: Who, *, fresh: bool = False) -> HttpResponse:
    """Make the cell's request: a GET, or a mutating request with the route's declared input.

    `fresh`: a client of its own (signing out must not sign the role's shared client out).
    """
    route, role = cell.route, cell.role
    client = (world.api if route.is_api else world.pages)[role]
    if fresh:
        client = Client()
        if role != "anonymous":
            client.force_login(world.users[role])
    method = getattr(client, route.method.lower())
    if route.method not in MUTATING:
        return method(cell.url)
    body = who.body(world, role) if callable(who.body) else dict(who.body or {})
    if who.files:
        uploads = {name: SimpleUploadedFile(*file) for name, file in who.files.items()}
        return method(cell.url, body | uploads)
    if route.is_api:
        return method(cell.url, json.dumps(body), content_type="application/json")
    return method(cell.url, body)


def fingerprint(cell: Cell) -> str:
    """Row counts of every table of ours and the rows the path names, hashed."""
    parts = []
    for model in apps.get_models():
        if model.__module__.startswith("clearinghouse."):
            parts.append(f"{model._meta.label}={model._default_manager.count()}")
    for param, value in cell.values:
        if param in PARAM_KIND or param == "finding_id":
            model = apps.get_model(_LABELS[kind_of(cell.route, param)])
            lookup = "osv_id" if param in {"advisory_id", "osv_id"} else "pk"
            row = model._default_manager.filter(**{lookup: value}).first()
            parts.append(repr(model_to_dict(row) if row is not None else None))
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def attempt(
    world: World, cell: Cell, who: Who, *, fresh: bool = False
) -> tuple[HttpResponse, bool]:
    """Make the request and roll back what it did; says whether it changed anything."""
    if cell.route.method not in MUTATING:
        return request(world, cell, who, fresh=fresh), False
    with transaction.atomic():
        before = fingerprint(cell)
        response = request(world, cell, who, fresh=fresh)
        changed = fingerprint(cell) != before
        transaction.set_rollback(True)
    return response, changed


#: The model behind each kind of object, to read the rows a path names.
_LABELS = {
    "model": "frontier.AIModel",
    "notice": "reviews.Notice",
    "track": "reviews.TrackReview",
    "grant": "reviews.AccessGrant",
    "review_finding": "reviews.Finding",
    "submission": "intake.Submission",
    "report": "intake.Report",
    "asset": "assets.Asset",
    "asset_finding": "assets.Finding",
    "platform_run": "assessments.AssessmentRun",
    "candidate": "assessments.CandidateReport",
    "endpoint": "notifications.WebhookEndpoint",
    "token": "accounts.ApiToken",
    "advisory": "advisories.Advisory",
}
