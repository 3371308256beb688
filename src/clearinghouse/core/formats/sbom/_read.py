"""The one way in: sniff an uploaded SBOM's format, check its size, and hand it to a reader."""

from __future__ import annotations

import json

from clearinghouse.core.text import NUL_MESSAGE, has_nul

from ._cyclonedx import read_cyclonedx_xml
from ._json import read_json
from ._library import (
    read_json_with_libraries,
    read_tag_value_with_libraries,
    read_xml_with_libraries,
)
from ._model import Sbom, SbomError
from ._spdx import read_spdx_tag_value

DEFAULT_MAX_BYTES = 200 * 1024 * 1024


def read_sbom(
    data: bytes,
    filename: str | None = None,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    use_libraries: bool = False,
) -> Sbom:
    """Read a CycloneDX (JSON, XML) or SPDX 2 (JSON, tag-value) SBOM into its components.

    Uploads are hostile: anything over ``max_bytes``, malformed, of an unknown format or with
    XML DTDs/entities raises SbomError naming ``filename`` and the reason. The default readers
    stream and take seconds for a million components; ``use_libraries=True`` reads with
    cyclonedx-python-lib and spdx-tools instead (strict, and much slower).
    """
    try:
        return _read(data, max_bytes, use_libraries)
    except SbomError as exc:
        raise SbomError(exc.reason, filename) from exc.__cause__


def _read(data: bytes, max_bytes: int, use_libraries: bool) -> Sbom:
    if len(data) > max_bytes:
        raise SbomError(f"{len(data):,} bytes is over the {max_bytes:,}-byte limit")
    # JSON's own encoding rules (UTF-8/16/32, with or without BOM) also cover tag-value text.
    encoding = json.detect_encoding(data)
    first = data[:64].decode(encoding, errors="ignore").lstrip("\ufeff \t\r\n")[:1]
    if first == "<":
        return read_xml_with_libraries(data) if use_libraries else read_cyclonedx_xml(data)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise SbomError(f"not {encoding} text: {exc}") from exc
    text = text.removeprefix("\ufeff")
    if has_nul(text):  # XML cannot hold NUL at all; its parsers refuse it
        raise SbomError(NUL_MESSAGE)
    if first in ("{", "["):
        return read_json_with_libraries(text) if use_libraries else read_json(text)
    return read_tag_value_with_libraries(text) if use_libraries else read_spdx_tag_value(text)
