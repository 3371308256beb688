"""Text that no store can keep: NUL characters, found wherever they hide in parsed input.

PostgreSQL refuses NUL in text columns while SQLite keeps it, so the same input would be
stored on one database and a 500 on the other. Every way in refuses it up front instead,
naming where it was.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

NUL_MESSAGE = "text must not contain NUL characters"

# A JSON `\u0000` escape that is not itself an escaped backslash followed by "u0000".
_JSON_NUL = re.compile(r"(?<!\\)(?:\\\\)*\\u0000")


def nul_at(value: Any, path: tuple[str, ...] = ()) -> tuple[str, ...] | None:
    """The path to the first string holding a NUL inside `value` (nested dicts/lists), or None."""
    if isinstance(value, str):
        return path if "\x00" in value else None
    if isinstance(value, Mapping):
        items = ((str(key), item) for key, item in value.items())
    elif isinstance(value, list | tuple):
        items = ((str(index), item) for index, item in enumerate(value))
    else:
        return None
    for key, item in items:
        if "\x00" in key:
            return (*path, key)
        found = nul_at(item, (*path, key))
        if found is not None:
            return found
    return None


def has_nul(text: str | bytes) -> bool:
    """Whether JSON, YAML or plain text (decoded, or UTF-8 bytes) carries a NUL, raw or escaped.

    Bytes are taken as UTF-8, as JSON over HTTP is; substring tests first keep a 200 MB SBOM
    from a regular-expression scan unless it holds a `\\u0000` at all.
    """
    if isinstance(text, bytes):
        if b"\x00" in text:
            return True
        if b"\\u0000" not in text:
            return False
        text = text.decode("utf-8", errors="replace")
    elif "\x00" in text:
        return True
    elif "\\u0000" not in text:
        return False
    return _JSON_NUL.search(text) is not None
