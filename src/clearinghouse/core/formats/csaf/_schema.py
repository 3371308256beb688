"""Validation against the official CSAF 2.0 JSON schema, with its CVSS schemas resolved offline."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource

SCHEMA_DIR = Path(__file__).resolve().parent / "schema"

# The CSAF schema names FIRST's CVSS schemas by URL; these are the same files, shipped here so
# that validation never touches the network (and works on air-gapped machines).
_REFERENCED = {
    "https://www.first.org/cvss/cvss-v2.0.json": "cvss-v2.0.json",
    "https://www.first.org/cvss/cvss-v3.0.json": "cvss-v3.0.json",
    "https://www.first.org/cvss/cvss-v3.1.json": "cvss-v3.1.json",
}


def _load(name: str) -> dict[str, Any]:
    with (SCHEMA_DIR / name).open(encoding="utf-8") as handle:
        loaded: dict[str, Any] = json.load(handle)
    return loaded


@cache
def _validator() -> Draft202012Validator:
    resources: list[tuple[str, Resource[Any]]] = []
    for url, name in _REFERENCED.items():
        resource: Resource[Any] = Resource.from_contents(_load(name))
        resources.append((url, resource))
        # The files declare a dated id (".json?20170531"); their internal "#/definitions" refs
        # resolve against it, so it must be registered too.
        if resource.id() is not None:
            resources.append((str(resource.id()), resource))
    registry: Registry[Any] = Registry().with_resources(resources)
    return Draft202012Validator(_load("csaf_json_schema.json"), registry=registry)


def schema_errors(document: Mapping[str, Any], *, limit: int = 20) -> tuple[str, ...]:
    """List why a document is not valid CSAF 2.0 JSON (empty when it is), at most `limit` reasons.

    Schema validity is only the first gate: see `mandatory_test_failures` for conformance.
    """
    messages = []
    for error in _validator().iter_errors(document):
        messages.append(f"{error.json_path}: {error.message}")
        if len(messages) >= limit:
            break
    return tuple(messages)
