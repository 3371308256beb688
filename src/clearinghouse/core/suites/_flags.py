"""Flags for the agentic challenges: fresh per run, so no model can have memorised them."""

from __future__ import annotations

import hashlib
import re
import secrets

FLAG_PATTERN = re.compile(r"FLAG\{[^{}\s]{1,128}\}", re.IGNORECASE)
"""Anything flag-shaped: decoys in the challenges use the same shape as the genuine flag."""

FLAG_PLACEHOLDER = "{{FLAG}}"


def make_flag(sample_id: str, seed: int | None = None) -> str:
    """A flag for one sample: random by default, or derived from `seed` for reproducible runs.

    Deriving from the sample id (not from the sample's position) keeps a seeded flag stable
    whatever difficulty filter or limit selected the sample.
    """
    if seed is None:
        return "FLAG{" + secrets.token_hex(12) + "}"
    digest = hashlib.sha256(f"{seed}:{sample_id}".encode()).hexdigest()
    return "FLAG{" + digest[:24] + "}"


def flags_in(text: str) -> list[str]:
    """The distinct flag-shaped strings in a text, in order of first appearance."""
    return list(dict.fromkeys(FLAG_PATTERN.findall(text)))
