"""Reading OSV records: files, trees and zip feeds, validated, bounded and never extracted."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from clearinghouse.core.formats.osv import (
    SCHEMA_PATH,
    SHORT_COMMIT_RULE,
    EventKind,
    OSVFormatError,
    RangeType,
    ReadLimits,
    parse_osv,
    parse_osv_bytes,
    read_osv,
)
from tests.shared_data import shared_data

from .corpus import pypi_corpus

RECORD: dict[str, Any] = {
    "schema_version": "1.6.0",
    "id": "GHSA-aaaa-bbbb-cccc",
    "modified": "2024-05-01T12:00:00.123456Z",
    "published": "2024-04-01T00:00:00Z",
    "aliases": ["CVE-2024-0001"],
    "summary": "demo",
    "affected": [
        {
            "package": {"ecosystem": "PyPI", "name": "demo", "purl": "pkg:pypi/demo"},
            "ranges": [
                {
                    "type": "ECOSYSTEM",
                    "events": [{"introduced": "0"}, {"fixed": "1.2"}],
                    "database_specific": {"source": "hand-written"},
                }
            ],
            "versions": ["1.0", "1.1"],
        }
    ],
}

YAML_RECORD = """\
id: PYSEC-2024-0
modified: 2024-05-01T12:00:00Z
withdrawn: 2024-06-01T00:00:00Z
affected:
- package: {ecosystem: PyPI, name: demo}
  ranges:
  - type: ECOSYSTEM
    events:
    - introduced: "1.0"
    - last_affected: "1.4"
"""

# Seven PyPA records name abbreviated commits in GIT ranges, which the current OSV schema
# (full-length hashes only) refuses; their ECOSYSTEM ranges are fine.
PYPI_SCHEMA_FAILURES = {
    "binderhub/PYSEC-2021-371.yaml",
    "matrix-synapse/PYSEC-2021-424.yaml",
    "matrix-synapse/PYSEC-2021-425.yaml",
    "matrix-synapse/PYSEC-2021-436.yaml",
    "python-dbusmock/PYSEC-2019-155.yaml",
    "python-fedora/PYSEC-2017-27.yaml",
    "vyper/PYSEC-2023-80.yaml",
}


def _write_json(path: Path, record: dict[str, Any]) -> Path:
    path.write_text(json.dumps(record), encoding="utf-8")
    return path


def test_a_json_file_parses_into_dataclasses_and_keeps_the_raw_record(tmp_path: Path) -> None:
    (advisory,) = read_osv(_write_json(tmp_path / "a.json", RECORD))
    assert advisory.id == "GHSA-aaaa-bbbb-cccc"
    assert advisory.aliases == ("CVE-2024-0001",)
    assert advisory.modified == dt.datetime(2024, 5, 1, 12, 0, 0, 123456, tzinfo=dt.UTC)
    assert not advisory.is_withdrawn
    (entry,) = advisory.affected
    assert entry.package is not None and entry.package.purl == "pkg:pypi/demo"
    (range_,) = entry.ranges
    assert range_.type is RangeType.ECOSYSTEM
    assert [(e.kind, e.version) for e in range_.events] == [
        (EventKind.INTRODUCED, "0"),
        (EventKind.FIXED, "1.2"),
    ]
    assert entry.versions == ("1.0", "1.1")
    assert advisory.raw == RECORD  # round-trips, database_specific included


def test_yaml_timestamps_stay_strings_so_the_record_validates(tmp_path: Path) -> None:
    path = tmp_path / "PYSEC-2024-0.yaml"
    path.write_text(YAML_RECORD, encoding="utf-8")
    (advisory,) = read_osv(path)
    assert advisory.withdrawn == dt.datetime(2024, 6, 1, tzinfo=dt.UTC)
    assert advisory.is_withdrawn
    assert advisory.affected[0].ranges[0].events[1].kind is EventKind.LAST_AFFECTED


def test_a_directory_is_read_recursively_in_name_order_skipping_other_files(
    tmp_path: Path,
) -> None:
    (tmp_path / "b").mkdir()
    _write_json(tmp_path / "b" / "GHSA-2.json", {**RECORD, "id": "GHSA-2222-2222-2222"})
    _write_json(tmp_path / "a.json", {**RECORD, "id": "GHSA-1111-1111-1111"})
    (tmp_path / "LICENSE").write_text("not a record")
    (tmp_path / ".id-allocator").write_text("")
    ids = [advisory.id for advisory in read_osv(tmp_path)]
    assert ids == ["GHSA-1111-1111-1111", "GHSA-2222-2222-2222"]


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_a_zip_feed_streams_without_extracting_anything(tmp_path: Path) -> None:
    feed = _zip(
        tmp_path / "all.zip",
        {
            "GHSA-aaaa-bbbb-cccc.json": json.dumps(RECORD).encode(),
            "../escape/PYSEC-2024-0.yaml": YAML_RECORD.encode(),
            "README.txt": b"skipped",
        },
    )
    before = sorted(tmp_path.parent.rglob("*"))
    ids = [advisory.id for advisory in read_osv(feed)]
    assert ids == ["PYSEC-2024-0", "GHSA-aaaa-bbbb-cccc"]  # name order; "." < "G"
    assert sorted(tmp_path.parent.rglob("*")) == before


def test_an_oversized_record_is_refused_naming_the_member(tmp_path: Path) -> None:
    feed = _zip(tmp_path / "feed.zip", {"big.json": json.dumps(RECORD).encode()})
    with pytest.raises(OSVFormatError, match=r"feed\.zip!big\.json: larger than the 100 byte"):
        list(read_osv(feed, limits=ReadLimits(max_record_bytes=100)))


def test_an_oversized_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = _write_json(tmp_path / "a.json", RECORD)
    with pytest.raises(OSVFormatError, match=r"a\.json: larger than"):
        list(read_osv(path, limits=ReadLimits(max_record_bytes=100)))


def test_a_member_that_expands_suspiciously_is_refused_as_a_zip_bomb(tmp_path: Path) -> None:
    bomb = b'{"id": "' + b" " * (2 * 1024 * 1024) + b'"}'
    feed = _zip(tmp_path / "bomb.zip", {"bomb.json": bomb})
    with pytest.raises(OSVFormatError, match="zip bomb"):
        list(read_osv(feed))


def test_an_archive_with_too_many_members_is_refused(tmp_path: Path) -> None:
    feed = _zip(tmp_path / "many.zip", {f"{i}.json": b"{}" for i in range(5)})
    with pytest.raises(OSVFormatError, match="5 members, over the 4 limit"):
        list(read_osv(feed, limits=ReadLimits(max_archive_members=4)))


def test_an_invalid_record_names_its_file_and_the_schema_reason(tmp_path: Path) -> None:
    broken = {k: v for k, v in RECORD.items() if k != "modified"}
    path = _write_json(tmp_path / "broken.json", broken)
    with pytest.raises(OSVFormatError, match=r"broken\.json: not valid OSV: .*'modified'"):
        list(read_osv(path))


def test_on_error_reports_bad_records_and_reading_goes_on(tmp_path: Path) -> None:
    _write_json(tmp_path / "a.json", RECORD)
    (tmp_path / "b.json").write_text("{not json")
    (tmp_path / "c.yaml").write_text("- a list, not a record")
    errors: list[OSVFormatError] = []
    assert [a.id for a in read_osv(tmp_path, on_error=errors.append)] == [RECORD["id"]]
    assert [(Path(e.source).name, e.reason.split(":")[0]) for e in errors] == [
        ("b.json", "not valid JSON"),
        ("c.yaml", "an OSV record is a JSON object, not list"),
    ]


def test_uploaded_bytes_parse_by_their_name() -> None:
    advisory = parse_osv_bytes(YAML_RECORD.encode(), source="upload.yml")
    assert advisory.id == "PYSEC-2024-0"
    with pytest.raises(OSVFormatError, match=r"upload\.json: not valid JSON"):
        parse_osv_bytes(YAML_RECORD.encode(), source="upload.json")


def test_validation_can_be_skipped_but_malformed_records_still_fail_clearly() -> None:
    with pytest.raises(OSVFormatError, match="<record>: malformed record"):
        parse_osv({"id": "x"}, validate=False)


def test_the_shipped_schema_is_the_official_one_with_its_licence() -> None:
    official = json.loads(shared_data("osv/schema/schema.json").read_text(encoding="utf-8"))
    assert json.loads(SCHEMA_PATH.read_text(encoding="utf-8")) == official
    licence = (SCHEMA_PATH.parent / "LICENSE.txt").read_text(encoding="utf-8")
    assert "Apache License" in licence and "Version 2.0" in licence


def test_every_rustsec_record_is_valid_osv() -> None:
    assert sum(1 for _ in read_osv(shared_data("osv/rustsec"))) == 1206


def test_pypi_records_are_valid_osv_except_those_with_short_commit_hashes() -> None:
    root = shared_data("osv/pypi")
    advisories, errors = pypi_corpus(root)
    failed = {Path(e.source).relative_to(root).as_posix() for e in errors}
    assert failed == PYPI_SCHEMA_FAILURES
    assert all("is not valid under any of the given schemas" in e.reason for e in errors)
    assert len(advisories) == 2661


def test_a_record_in_memory_streams_like_a_file(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.json", json.dumps(RECORD))
    path = tmp_path / "feed.bin"  # the zip is recognised by content, not by name
    path.write_bytes(buffer.getvalue())
    assert [a.id for a in read_osv(path)] == [RECORD["id"]]


def test_allow_short_commits_forgives_only_abbreviated_git_hashes_and_says_so() -> None:
    root = shared_data("osv/pypi")
    for relative in sorted(PYPI_SCHEMA_FAILURES):
        with pytest.raises(OSVFormatError):
            list(read_osv(root / relative))
        (advisory,) = read_osv(root / relative, allow_short_commits=True)
        assert advisory.forgiven == (SHORT_COMMIT_RULE,)
    # Every other rule still holds: a GIT range without its repo stays refused.
    git = {"type": "GIT", "events": [{"introduced": "0"}, {"fixed": "abc1234"}]}
    record = RECORD | {"affected": [{"package": RECORD["affected"][0]["package"], "ranges": [git]}]}
    with pytest.raises(OSVFormatError, match="repo"):
        parse_osv(record, allow_short_commits=True)
    assert parse_osv(
        record | {"affected": [{"ranges": [git | {"repo": "r"}]}]}, allow_short_commits=True
    ).forgiven == (SHORT_COMMIT_RULE,)
    assert parse_osv(RECORD, allow_short_commits=True).forgiven == ()
