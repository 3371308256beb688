"""Where a document breaks its format's rules, as data: keys and indices, not a string to parse."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

#: A place in a decoded document: the keys and list indices from its root (empty: the whole).
Location = tuple[str | int, ...]

_PLAIN_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Problem:
    """One reason a document is refused: where in it, and why."""

    location: Location
    message: str

    @property
    def pointer(self) -> str:
        """The place as an RFC 6901 JSON Pointer ("/vulnerabilities/2/cve"; "" is the root)."""
        return pointer(self.location)

    @property
    def json_path(self) -> str:
        """The place as JSONPath ("$.vulnerabilities[2].cve"), as jsonschema writes it."""
        path = "$"
        for part in self.location:
            if isinstance(part, int):
                path += f"[{part}]"
            elif _PLAIN_KEY.match(part):
                path += f".{part}"
            else:
                path += "['" + part.replace("\\", "\\\\").replace("'", "\\'") + "']"
        return path


def pointer(location: Sequence[str | int]) -> str:
    """An RFC 6901 JSON Pointer to `location` ("~" and "/" in keys escaped)."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in location)
