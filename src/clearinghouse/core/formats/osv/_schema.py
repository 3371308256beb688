"""Validation against the official OSV JSON schema, shipped with the package for offline use."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / "osv.schema.json"


@cache
def _validator() -> Draft202012Validator:
    with SCHEMA_PATH.open(encoding="utf-8") as handle:
        return Draft202012Validator(json.load(handle))


def schema_errors(record: Mapping[str, Any], *, limit: int = 5) -> tuple[str, ...]:
    """List why a record is not valid OSV (empty when it is), at most `limit` reasons."""
    messages = []
    for error in _validator().iter_errors(record):
        messages.append(f"{error.json_path}: {error.message}")
        if len(messages) >= limit:
            break
    return tuple(messages)
