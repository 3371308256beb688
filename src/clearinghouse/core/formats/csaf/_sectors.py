"""CISA's "Critical infrastructure sectors" note is free text; find the canonical sectors in it."""

from __future__ import annotations

import re

from clearinghouse.core.sectors import Sector

# CISA's names of the 16 sectors. Several contain "and", which is why the note must never be
# split on " and ": "Food and Agriculture" is one sector, not two.
CISA_SECTORS: tuple[str, ...] = tuple(sector.label for sector in Sector)

# Spellings seen in CISA advisories for the same sectors; the longer canonical phrase wins
# because alternatives are tried longest first.
_ALIASES: dict[str, str] = {
    "Agriculture and Food": "Food and Agriculture",
    "Government Services and Facilities": "Government Facilities",
    "Nuclear Reactors, Materials and Waste": "Nuclear Reactors, Materials, and Waste",
    "Transportation": "Transportation Systems",
    "Water and Wastewater": "Water and Wastewater Systems",
}

_CANONICAL = {name.casefold(): name for name in CISA_SECTORS} | {
    alias.casefold(): name for alias, name in _ALIASES.items()
}


def _phrase_pattern(phrase: str) -> str:
    # Whitespace may vary ("Food  and Agriculture", line breaks) but the words may not.
    return r"\s+".join(re.escape(word) for word in phrase.split())


_PATTERN = re.compile(
    r"\b(?:"
    + "|".join(_phrase_pattern(p) for p in sorted(_CANONICAL, key=len, reverse=True))
    + r")\b",
    re.IGNORECASE,
)


def sectors_from_text(text: str) -> tuple[str, ...]:
    """Return the canonical CISA sector names mentioned in free text, in order of first mention.

    Only whole known phrases count, so unknown wording ("Oil & Gas") is left out rather than
    guessed; callers keep the original text alongside.
    """
    found: dict[str, None] = {}
    for match in _PATTERN.finditer(text):
        found.setdefault(_CANONICAL[" ".join(match.group(0).split()).casefold()], None)
    return tuple(found)
