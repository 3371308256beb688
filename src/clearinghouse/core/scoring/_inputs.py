"""Checked reads of outside feeds: a size cap before parsing, time-zone-aware timestamps after."""

from __future__ import annotations

import datetime as dt
import gzip
import io
from pathlib import Path
from typing import BinaryIO

from ._errors import ScoringError

_CHUNK = 1 << 16
_GZIP_MAGIC = b"\x1f\x8b"


def read_capped(source: Path | BinaryIO, max_bytes: int, what: str) -> bytes:
    """Return a file's or binary stream's bytes, gunzipped if gzip, refusing more than max_bytes.

    The cap applies to both the stored and the decompressed size, so a small gzip bomb cannot
    exhaust memory.
    """
    if isinstance(source, Path):
        with source.open("rb") as stream:
            return read_capped(stream, max_bytes, what)
    raw = _read_all(source, max_bytes, what)
    if not raw.startswith(_GZIP_MAGIC):
        return raw
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(raw), mode="rb") as unzipped:
            return _read_all(unzipped, max_bytes, what)
    except (OSError, EOFError) as exc:
        raise ScoringError(f"{what}: not a valid gzip file: {exc}") from exc


def _read_all(stream: BinaryIO | gzip.GzipFile, max_bytes: int, what: str) -> bytes:
    data = bytearray()
    while chunk := stream.read(_CHUNK):
        data += chunk
        if len(data) > max_bytes:
            raise ScoringError(f"{what}: larger than the {max_bytes}-byte limit")
    return bytes(data)


def aware_datetime(what: str, field: str, value: str) -> dt.datetime:
    """Parse an ISO 8601 timestamp that must carry a time zone, or raise naming the field."""
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise ScoringError(f"{what}: {field} {value!r} is not an ISO 8601 date-time") from exc
    if parsed.tzinfo is None:
        raise ScoringError(f"{what}: {field} {value!r} has no time zone")
    return parsed
