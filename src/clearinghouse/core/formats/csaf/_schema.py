"""Validation against the official CSAF 2.0 JSON schema, with its CVSS schemas resolved offline."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from .._problem import Problem
from ._compiled import Check, UnsupportedSchema, compile_schema

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
def _registry() -> Registry[Any]:
    resources: list[tuple[str, Resource[Any]]] = []
    for url, name in _REFERENCED.items():
        resource: Resource[Any] = Resource.from_contents(_load(name))
        resources.append((url, resource))
        # The files declare a dated id (".json?20170531"); their internal "#/definitions" refs
        # resolve against it, so it must be registered too.
        if resource.id() is not None:
            resources.append((str(resource.id()), resource))
    registry: Registry[Any] = Registry().with_resources(resources)
    return registry


@cache
def _schema() -> dict[str, Any]:
    return _load("csaf_json_schema.json")


@cache
def _validator() -> Draft202012Validator:
    """The reference validator: the verdict's authority, and the source of every message."""
    return Draft202012Validator(_schema(), registry=_registry())


@cache
def _fast_check() -> Check | None:
    """The compiled check of the same schema, or None if it uses a keyword the compiler lacks."""
    schema = _schema()
    resolver = _registry().resolver_with_root(Resource.from_contents(schema))
    try:
        return compile_schema(schema, resolver)
    except UnsupportedSchema:
        return None


def is_schema_valid(document: Mapping[str, Any]) -> bool:
    """Whether a document is valid CSAF 2.0 JSON: the compiled check when there is one."""
    check = _fast_check()
    if check is None:
        return bool(_validator().is_valid(document))
    return check(document)


def schema_problems(document: Mapping[str, Any], *, limit: int = 20) -> tuple[Problem, ...]:
    """Why a document is not valid CSAF 2.0 JSON (empty when it is), at most `limit` problems.

    Schema validity is only the first gate: see `mandatory_test_failures` for conformance. A
    valid document (the common case) is recognised by the compiled check alone; jsonschema
    walks only the documents that fail it, to say why.
    """
    if is_schema_valid(document):
        return ()
    problems = []
    for error in _validator().iter_errors(document):
        problems.append(Problem(tuple(error.absolute_path), error.message))
        if len(problems) >= limit:
            break
    return tuple(problems)


def schema_errors(document: Mapping[str, Any], *, limit: int = 20) -> tuple[str, ...]:
    """`schema_problems` as lines ("$.vulnerabilities[0].cve: ..."), empty when valid."""
    return tuple(f"{p.json_path}: {p.message}" for p in schema_problems(document, limit=limit))
