"""Validation against the official OSV JSON schema, shipped with the package for offline use."""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / "osv.schema.json"

#: The one rule `allow_short_commits` forgives: real feeds (7 PyPI records) name GIT commits
#: by abbreviated hashes, which matching never reads (GIT ranges are not evaluated).
SHORT_COMMIT_RULE = "GIT ranges must use full-length commit hashes"


@cache
def _validator(allow_short_commits: bool = False) -> Draft202012Validator:
    with SCHEMA_PATH.open(encoding="utf-8") as handle:
        schema = json.load(handle)
    if allow_short_commits:
        schema = copy.deepcopy(schema)
        range_rules = schema["properties"]["affected"]["items"]["properties"]["ranges"]["items"]
        range_rules["allOf"] = [
            rule for rule in range_rules["allOf"] if rule.get("title") != SHORT_COMMIT_RULE
        ]
    return Draft202012Validator(schema)


def schema_errors(
    record: Mapping[str, Any], *, limit: int = 5, allow_short_commits: bool = False
) -> tuple[str, ...]:
    """List why a record is not valid OSV (empty when it is), at most `limit` reasons.

    `allow_short_commits` checks every rule but the full-length commit hash of GIT ranges.
    """
    messages = []
    for error in _validator(allow_short_commits).iter_errors(record):
        messages.append(f"{error.json_path}: {error.message}")
        if len(messages) >= limit:
            break
    return tuple(messages)
