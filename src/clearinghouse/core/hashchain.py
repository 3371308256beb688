"""A hash chain over audit records, so that editing or deleting any stored row is detectable."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64


def canonical_json(payload: Mapping[str, Any]) -> bytes:
    """A byte form that is the same for equal payloads on any database or Python version."""
    return json.dumps(
        payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    ).encode()


def link_hash(previous_hash: str, payload: Mapping[str, Any]) -> str:
    """The hash of one link: the previous link's hash followed by this record's canonical form."""
    return hashlib.sha256(previous_hash.encode() + b"\n" + canonical_json(payload)).hexdigest()


@dataclass(frozen=True)
class ChainLink:
    """A stored record as the verifier sees it."""

    sequence: int
    payload: Mapping[str, Any]
    previous_hash: str
    hash: str


@dataclass(frozen=True)
class BrokenLink:
    """The first place where the stored chain disagrees with a recomputation."""

    sequence: int
    reason: str


def first_broken_link(links: Iterable[ChainLink]) -> BrokenLink | None:
    """Walk the chain in order and return the first link that was edited, removed or reordered."""
    expected_previous = GENESIS
    expected_sequence = 1
    for link in links:
        if link.sequence != expected_sequence:
            return BrokenLink(
                link.sequence, f"sequence jumps from {expected_sequence - 1} to {link.sequence}"
            )
        if link.previous_hash != expected_previous:
            return BrokenLink(link.sequence, "previous-hash does not match the link before it")
        if link_hash(link.previous_hash, link.payload) != link.hash:
            return BrokenLink(link.sequence, "record content does not match its hash")
        expected_previous = link.hash
        expected_sequence += 1
    return None
