"""Correctness evidence over the real PyPI and RustSec advisories, read in place.

The PyPA advisories enumerate the affected versions (`versions`) next to their ranges, so the
enumeration is an independent check of our range evaluation: with the lists stripped, the
ranges alone must call every listed version affected, every `fixed` version not affected, and
the release just before each `introduced` not affected (unless the advisory lists it).
"""

from __future__ import annotations

import dataclasses
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterator

import pytest
from packaging.version import InvalidVersion, Version

from clearinghouse.core.formats.osv import Advisory, AffectedPackage, EventKind, RangeType, read_osv
from clearinghouse.core.matching import (
    AdvisoryIndex,
    Component,
    Verdict,
    evaluate,
    normalise_name,
)
from tests.core.formats.osv.corpus import pypi_corpus
from tests.shared_data import shared_data

# Where the ranges and the enumeration of one record contradict each other. Each is a data
# error, read off the record; any other disagreement fails the test.
KNOWN_DATA_ERRORS: dict[tuple[str, str], str] = {
    # django: ranges start at introduced "3.2" / "4.2", but the list also names the alpha,
    # beta and rc releases before them (which PEP 440 orders below 3.2 and 4.2).
    **{
        ("PYSEC-2023-61", version): "pre-release listed below introduced"
        for version in ("3.2a1", "3.2b1", "3.2rc1", "4.2a1", "4.2b1", "4.2rc1")
    },
    # gevent: the ECOSYSTEM range says fixed 23.9.0; the list (made from the GIT range)
    # names 23.9.0 and 23.9.0.post1 as affected.
    ("PYSEC-2023-177", "23.9.0"): "listed, but it is the fixed version",
    ("PYSEC-2023-177", "23.9.0.post1"): "listed, but after the fixed version 23.9.0",
    # wagtail: one range holds two overlapping intervals (introduced 0 / fixed 2.11.6 and
    # introduced 2.11 / fixed 2.11.7); walking them, 2.11.6 is fixed, yet it is listed.
    ("PYSEC-2021-114", "2.11.6"): "overlapping events in one range fix 2.11.6",
}


def _pep440(version: str) -> Version | None:
    try:
        return Version(version)
    except InvalidVersion:
        return None


@pytest.fixture(scope="module")
def pypi() -> list[Advisory]:
    # Includes the seven records the current schema refuses for short GIT commit hashes
    # (see tests/core/formats/osv): their ECOSYSTEM ranges are sound evidence.
    advisories, _ = pypi_corpus(shared_data("osv/pypi"))
    return list(advisories)


@pytest.fixture(scope="module")
def ranges_only(pypi: list[Advisory]) -> AdvisoryIndex:
    """An index of the PyPI advisories with their `versions` lists (and withdrawal) removed."""
    index = AdvisoryIndex()
    for advisory in pypi:
        stripped = tuple(dataclasses.replace(entry, versions=()) for entry in advisory.affected)
        index.add(dataclasses.replace(advisory, affected=stripped, withdrawn=None))
    return index


def _entries(advisories: list[Advisory]) -> Iterator[tuple[Advisory, AffectedPackage, str]]:
    for advisory in advisories:
        for entry in advisory.affected:
            assert entry.package is not None
            yield advisory, entry, normalise_name("PyPI", entry.package.name)


def _expectations(
    advisories: list[Advisory],
) -> Iterator[tuple[str, str, str, bool]]:
    """(advisory id, package, version, expected affected) for the checks the module names."""
    releases: dict[str, list[Version]] = defaultdict(list)
    for _, entry, name in _entries(advisories):
        releases[name].extend(v for v in map(_pep440, entry.versions) if v is not None)
    for name in releases:
        releases[name] = sorted(set(releases[name]))
    for advisory, entry, name in _entries(advisories):
        ranges = [r for r in entry.ranges if r.type is RangeType.ECOSYSTEM]
        if not ranges:
            continue  # GIT-only or list-only records say nothing about ranges
        listed = {v for v in map(_pep440, entry.versions) if v is not None}
        for version in entry.versions:
            if _pep440(version) is not None:
                yield advisory.id, name, version, True
        for range_ in ranges:
            introduced = {e.version for e in range_.events if e.kind is EventKind.INTRODUCED}
            for event in range_.events:
                if event.kind is EventKind.FIXED and event.version not in introduced:
                    yield advisory.id, name, event.version, False
                elif event.kind is EventKind.INTRODUCED and event.version != "0":
                    known = releases[name]
                    below = bisect_left(known, Version(event.version))
                    if below > 0:
                        previous = known[below - 1]
                        yield advisory.id, name, str(previous), previous in listed


def _affected_by(index: AdvisoryIndex, advisory_id: str, component: Component) -> bool:
    return any(
        m.advisory_id == advisory_id and m.verdict is Verdict.AFFECTED
        for m in index.match(component)
    )


def _verdict_of(index: AdvisoryIndex, advisory_id: str, component: Component) -> Verdict:
    verdicts = [m.verdict for m in index.match(component) if m.advisory_id == advisory_id]
    return verdicts[0] if verdicts else Verdict.NOT_AFFECTED


def test_pypi_ranges_agree_with_the_enumerated_versions(
    pypi: list[Advisory], ranges_only: AdvisoryIndex
) -> None:
    affected_ids: dict[tuple[str, str], set[str]] = {}  # one lookup per package version
    disagreements = {}
    checked = 0
    for advisory_id, name, version, expected in _expectations(pypi):
        checked += 1
        if (name, version) not in affected_ids:
            matches = ranges_only.match(Component("PyPI", name, version))
            affected_ids[name, version] = {
                m.advisory_id for m in matches if m.verdict is Verdict.AFFECTED
            }
        if (advisory_id in affected_ids[name, version]) != expected:
            disagreements[(advisory_id, version)] = expected
    assert checked > 140_000
    assert set(disagreements) == set(KNOWN_DATA_ERRORS)


def test_pypi_versions_that_are_not_pep440_match_as_exact_strings(pypi: list[Advisory]) -> None:
    index = AdvisoryIndex()
    for advisory in pypi:
        index.add(dataclasses.replace(advisory, withdrawn=None))
    odd = [
        (advisory.id, name, version)
        for advisory, entry, name in _entries(pypi)
        for version in entry.versions
        if _pep440(version) is None
    ]
    assert len(odd) > 50  # e.g. "0.1-bulbasaur", "2013-01-21T20:33:09+0100", "trunk"
    for advisory_id, name, version in odd:
        assert _affected_by(index, advisory_id, Component("PyPI", name, version)), version


def test_reference_and_index_agree_on_real_pypi_records(pypi: list[Advisory]) -> None:
    # Every 7th record keeps the slow reference within a second or two.
    sample = [a for a in pypi[::7] if not a.is_withdrawn]
    index = AdvisoryIndex()
    for advisory in sample:
        index.add(advisory)
    compared = 0
    for advisory, entry, name in _entries(sample):
        versions = set(entry.versions)
        versions.update(e.version for r in entry.ranges for e in r.events if e.version != "0")
        for version in versions:
            component = Component("PyPI", name, version)
            assert evaluate(advisory, component) is _verdict_of(index, advisory.id, component)
            compared += 1
    assert compared > 10_000


def test_every_rustsec_record_parses_and_its_semver_ranges_evaluate() -> None:
    # Schema validation of these records is tested with the reader (tests/core/formats/osv).
    records = list(read_osv(shared_data("osv/rustsec"), validate=False))
    assert len(records) > 1_000
    index = AdvisoryIndex()
    for advisory in records:
        index.add(dataclasses.replace(advisory, withdrawn=None))
    for advisory in records:
        for entry in advisory.affected:
            assert entry.package is not None
            for range_ in entry.ranges:
                assert range_.type is RangeType.SEMVER
                for event in range_.events:
                    component = Component("crates.io", entry.package.name, event.version)
                    verdict = _verdict_of(index, advisory.id, component)
                    assert verdict is not Verdict.UNKNOWN, (advisory.id, event.version)
                    if not advisory.is_withdrawn:
                        assert evaluate(advisory, component) is verdict
