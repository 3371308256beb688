"""Streams OSV records from a file, a directory tree or a zip archive, with limits against abuse."""

from __future__ import annotations

import json
import stat
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import yaml

from ._model import Advisory
from ._parse import OSVFormatError, parse_osv

RECORD_SUFFIXES = (".json", ".yaml", ".yml")


@dataclass(frozen=True, slots=True)
class ReadLimits:
    """Bounds on what a reader accepts; a feed beyond them is refused, not truncated.

    The public OSV `all.zip` holds a few hundred thousand members, each far under a MiB.
    """

    max_record_bytes: int = 10 * 1024 * 1024
    max_archive_members: int = 2_000_000
    max_archive_bytes: int = 16 * 1024 * 1024 * 1024
    # Deflate cannot exceed ~1032:1; JSON feeds compress ~10:1, so 200:1 flags a crafted member.
    max_compression_ratio: int = 200


DEFAULT_LIMITS = ReadLimits()


class _YamlLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """Safe YAML that leaves timestamps as strings, as the OSV schema (written for JSON) expects."""


_YamlLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _YamlLoader.yaml_implicit_resolvers.items()
}


def load_yaml(text: str) -> Any:
    """Safe YAML, with timestamps left as strings (schemas written for JSON expect them)."""
    return yaml.load(text, Loader=_YamlLoader)  # noqa: S506 - a SafeLoader subclass


def read_osv(
    path: Path | str,
    *,
    validate: bool = True,
    allow_short_commits: bool = False,
    limits: ReadLimits = DEFAULT_LIMITS,
    on_error: Callable[[OSVFormatError], None] | None = None,
) -> Iterator[Advisory]:
    """Yield the advisories in an OSV file, a directory tree of them, or a zip of them.

    Records are read one at a time (a feed of any size streams) and never extracted to disk.
    Files in a directory or archive are read in name order and only if they end in .json,
    .yaml or .yml, so licence files and the like beside the records are skipped.
    A bad record raises `OSVFormatError`, unless `on_error` is given: then it is handed the
    error and reading goes on, so one broken record does not stop a bulk import. Errors about
    the archive as a whole (too many members, too large) always raise.
    `allow_short_commits` is passed to `parse_osv`.
    """
    path = Path(path)
    if path.is_dir():
        records = _read_directory(path, limits)
    elif zipfile.is_zipfile(path):
        records = _read_archive(path, limits)
    else:
        records = iter([(str(path), partial(_read_file, path, limits))])
    for source, read in records:
        try:
            yield parse_osv_bytes(
                read(),
                source=source,
                validate=validate,
                allow_short_commits=allow_short_commits,
                limits=limits,
            )
        except OSVFormatError as error:
            if on_error is None:
                raise
            on_error(error)


def parse_osv_bytes(
    data: bytes,
    *,
    source: str,
    validate: bool = True,
    allow_short_commits: bool = False,
    limits: ReadLimits = DEFAULT_LIMITS,
) -> Advisory:
    """Parse one uploaded or read record: YAML when `source` ends in .yaml/.yml, else JSON."""
    if len(data) > limits.max_record_bytes:
        raise _too_large(source, limits)
    return parse_osv(
        _decode(data, source),
        source=source,
        validate=validate,
        allow_short_commits=allow_short_commits,
    )


# Each source is paired with a thunk that reads it, so that a read error is a per-record error.
_Records = Iterator[tuple[str, Callable[[], bytes]]]


def _read_directory(root: Path, limits: ReadLimits) -> _Records:
    for path in sorted(root.rglob("*")):
        if path.suffix.lower() in RECORD_SUFFIXES and path.is_file():
            yield str(path), partial(_read_file, path, limits)


def _read_file(path: Path, limits: ReadLimits) -> bytes:
    source = str(path)
    try:
        status = path.stat()
        if not stat.S_ISREG(status.st_mode):
            raise OSVFormatError(source, "not a regular file")
        if status.st_size > limits.max_record_bytes:
            raise _too_large(source, limits)
        with path.open("rb") as handle:
            data = handle.read(limits.max_record_bytes + 1)
    except OSError as error:
        raise OSVFormatError(source, f"cannot be read: {error.strerror or error}") from error
    if len(data) > limits.max_record_bytes:  # the file grew after stat()
        raise _too_large(source, limits)
    return data


def _read_archive(path: Path, limits: ReadLimits) -> _Records:
    try:
        opened = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise OSVFormatError(str(path), f"not a readable zip archive: {error}") from error
    with opened as archive:
        members = [info for info in archive.infolist() if not info.is_dir()]
        if len(members) > limits.max_archive_members:
            raise OSVFormatError(
                str(path),
                f"holds {len(members)} members, over the {limits.max_archive_members} limit",
            )
        total = 0
        for info in sorted(members, key=lambda member: member.filename):
            if not info.filename.lower().endswith(RECORD_SUFFIXES):
                continue
            total += info.file_size
            if total > limits.max_archive_bytes:
                raise OSVFormatError(
                    str(path), f"expands past the {limits.max_archive_bytes} byte limit"
                )
            source = f"{path}!{info.filename}"
            yield source, partial(_read_member, archive, info, source, limits)


def _read_member(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, source: str, limits: ReadLimits
) -> bytes:
    _check_member(info, source, limits)
    try:
        # Read at most one byte past the limit: the size declared in the header is not trusted.
        with archive.open(info) as member:
            return member.read(limits.max_record_bytes + 1)
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as error:
        # RuntimeError: an encrypted member; NotImplementedError: an unsupported compression.
        raise OSVFormatError(source, f"cannot be read from the archive: {error}") from error


def _too_large(source: str, limits: ReadLimits) -> OSVFormatError:
    return OSVFormatError(source, f"larger than the {limits.max_record_bytes} byte limit")


def _check_member(info: zipfile.ZipInfo, source: str, limits: ReadLimits) -> None:
    if info.file_size > limits.max_record_bytes:
        raise _too_large(source, limits)
    # Small members may compress well by chance (runs of spaces); only large ones are suspect.
    ratio_limit = limits.max_compression_ratio * info.compress_size
    if info.file_size > 64 * 1024 and info.file_size > ratio_limit:
        raise OSVFormatError(
            source, f"compressed more than {limits.max_compression_ratio}:1 (a zip bomb?)"
        )


def _decode(data: bytes, source: str) -> dict[str, Any]:
    try:
        text = data.decode("utf-8-sig")
        is_yaml = source.lower().endswith((".yaml", ".yml"))
        record = load_yaml(text) if is_yaml else json.loads(text)
    except UnicodeDecodeError as error:
        raise OSVFormatError(source, f"not UTF-8 text: {error.reason}") from error
    except json.JSONDecodeError as error:
        raise OSVFormatError(source, f"not valid JSON: {error}") from error
    except yaml.YAMLError as error:
        raise OSVFormatError(source, f"not valid YAML: {error}") from error
    if not isinstance(record, dict):
        raise OSVFormatError(source, f"an OSV record is a JSON object, not {type(record).__name__}")
    return record
