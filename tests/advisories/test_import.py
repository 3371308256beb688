"""Importing OSV feeds: counts, re-import, modified/withdrawn/aliases, bad records, leniency."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from clearinghouse.advisories.models import Advisory, AdvisoryImport, AffectedPackage
from clearinghouse.advisories.services import import_osv
from clearinghouse.advisories.signals import advisories_changed
from clearinghouse.audit.models import AuditEvent
from clearinghouse.cli import main
from tests.core.formats.osv.test_read import PYPI_SCHEMA_FAILURES
from tests.shared_data import shared_data

from .conftest import osv_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def changes():
    """Every `advisories_changed` signal sent, as (keys, advisory ids)."""
    sent = []

    def receive(sender, keys, advisory_ids, **_):
        sent.append((sorted(map(tuple, keys)), sorted(advisory_ids)))

    advisories_changed.connect(receive)
    yield sent
    advisories_changed.disconnect(receive)


def test_the_whole_pypi_feed_imports_with_the_short_hash_records_reported(rematch_jobs):
    root = shared_data("osv/pypi")
    files = [p for p in root.rglob("*.yaml")]
    withdrawn = sum("\nwithdrawn:" in p.read_text(encoding="utf-8") for p in files)
    report = import_osv(root)
    assert (report.new, report.updated, report.refused) == (len(files), 0, [])
    assert report.withdrawn == withdrawn > 0
    short = {name.rsplit("/", 1)[1].removesuffix(".yaml") for name in PYPI_SCHEMA_FAILURES}
    assert set(report.lenient) == short
    assert Advisory.objects.count() == len(files)
    # Each batch that changed something queued one re-match of the keys it touched.
    queued = {tuple(key) for keys, _ in rematch_jobs.jobs for key in keys}
    assert ("PyPI", "django") in queued and len(rematch_jobs.jobs) >= 1
    run = AdvisoryImport.objects.get()
    assert (run.new, run.lenient) == (len(files), 7)
    assert AuditEvent.objects.filter(action="advisories.imported").count() == 1


def test_reimport_changes_only_newer_records_and_signals_only_their_keys(write_osv, changes):
    first = osv_record("PYSEC-1", "Flask_Thing", aliases=["CVE-2024-1"])
    other = osv_record("PYSEC-2", "other")
    import_osv(write_osv(first, other))
    assert changes == [([("PyPI", "flask-thing"), ("PyPI", "other")], ["PYSEC-1", "PYSEC-2"])]
    changes.clear()
    moved = osv_record(
        "PYSEC-1", "new-home", modified="2024-06-01T00:00:00Z", aliases=["CVE-2024-1", "GHSA-x"]
    )
    older = osv_record("PYSEC-2", "elsewhere", modified="2023-01-01T00:00:00Z")
    report = import_osv(write_osv(moved, older))
    assert (report.new, report.updated, report.unchanged) == (0, 1, 1)
    # Both the package it named before and the one it names now may change matches.
    assert changes == [([("PyPI", "flask-thing"), ("PyPI", "new-home")], ["PYSEC-1"])]
    stored = Advisory.objects.get(osv_id="PYSEC-1")
    assert stored.aliases == ["CVE-2024-1", "GHSA-x"]
    assert list(stored.packages.values_list("name", flat=True)) == ["new-home"]
    assert Advisory.objects.get(osv_id="PYSEC-2").packages.get().name == "other"


def test_withdrawal_is_counted_once_and_kept_out_of_matching(write_osv):
    import_osv(write_osv(osv_record("PYSEC-9", "demo")))
    gone = osv_record("PYSEC-9", "demo", modified="2024-07-01T00:00:00Z")
    gone["withdrawn"] = "2024-07-01T00:00:00Z"
    report = import_osv(write_osv(gone))
    assert (report.updated, report.withdrawn) == (1, 1)
    from clearinghouse.advisories.services import current_advisories

    assert current_advisories([("PyPI", "demo")]) == {}
    assert AffectedPackage.objects.filter(name="demo").exists()  # still listed by package


def test_bad_records_are_reported_per_file_and_the_rest_imported(write_osv, tmp_path, capsys):
    directory = write_osv(osv_record("PYSEC-OK", "fine"))
    (directory / "broken.json").write_text("{not json")
    (directory / "invalid.json").write_text(json.dumps({"id": "X"}))
    (directory / "notes.txt").write_text("ignored")
    code = main(["import", "osv", str(directory)])
    err = capsys.readouterr().err
    assert code == 2
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert any("broken.json" in line and "not valid JSON" in line for line in errors)
    assert any("invalid.json" in line and "modified" in line for line in errors)
    assert errors[-1] == "error: 2 records refused"
    assert list(Advisory.objects.values_list("osv_id", flat=True)) == ["PYSEC-OK"]
    assert AdvisoryImport.objects.get().refused == 2


def test_a_zip_of_yaml_and_json_members_imports(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a/PYSEC-A.json", json.dumps(osv_record("PYSEC-A", "a")))
        archive.writestr(
            "b/PYSEC-B.yaml",
            "id: PYSEC-B\nmodified: 2024-05-01T00:00:00Z\naffected:\n"
            "- package: {ecosystem: PyPI, name: b}\n  versions: ['1.0']\n",
        )
    path = tmp_path / "feed.zip"
    path.write_bytes(buffer.getvalue())
    report = import_osv(path)
    assert report.new == 2
    assert sorted(Advisory.objects.values_list("osv_id", flat=True)) == ["PYSEC-A", "PYSEC-B"]


def test_a_missing_path_is_bad_input(capsys):
    assert main(["import", "osv", "/nonexistent/feed"]) == 2
    assert capsys.readouterr().err.startswith("error: /nonexistent/feed: no such")


FEED_SIZE = 300


def test_two_imports_of_one_feed_at_once_store_each_advisory_once_and_rematch_it_once(
    race, write_osv, rematch_jobs
):
    """Two threads on PostgreSQL: the second import waits, reads what the first stored."""
    records = [osv_record(f"PYSEC-{n}", f"pkg-{n}") for n in range(FEED_SIZE)]
    feed = write_osv(*records)
    first, second = race(lambda: import_osv(feed), lambda: import_osv(feed))
    assert not isinstance(first, BaseException) and not isinstance(second, BaseException), (
        first,
        second,
    )
    assert sorted([first.new, second.new]) == [0, FEED_SIZE]
    assert first.new + first.unchanged == second.new + second.unchanged == FEED_SIZE
    assert Advisory.objects.count() == AffectedPackage.objects.count() == FEED_SIZE
    rematched = sorted(osv_id for _, ids in rematch_jobs.jobs for osv_id in ids)
    assert rematched == sorted(r["id"] for r in records)  # each re-matched once

    newer = [r | {"modified": "2024-09-01T00:00:00Z", "summary": "worse"} for r in records]
    rematch_jobs.jobs.clear()
    feed = write_osv(*newer)
    first, second = race(lambda: import_osv(feed), lambda: import_osv(feed))
    assert sorted([first.updated, second.updated]) == [0, FEED_SIZE], (first, second)
    assert AffectedPackage.objects.count() == FEED_SIZE
    assert set(Advisory.objects.values_list("summary", flat=True)) == {"worse"}
    assert len([i for _, ids in rematch_jobs.jobs for i in ids]) == FEED_SIZE
