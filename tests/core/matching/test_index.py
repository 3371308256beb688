"""The advisory index keeps itself current as advisories are added, replaced and withdrawn."""

from __future__ import annotations

from clearinghouse.core.formats.osv import Advisory
from clearinghouse.core.matching import AdvisoryIndex, Component, Verdict

from .records import advisory, affected, ecosystem_range

DEMO_15 = Component("PyPI", "demo", "1.5")


def _fixed_in(version: str, **fields: str) -> Advisory:
    return advisory(
        affected("PyPI", "demo", ecosystem_range(("introduced", "1.0"), ("fixed", version))),
        **fields,
    )


def test_add_returns_the_package_keys_it_touches() -> None:
    index = AdvisoryIndex()
    record = advisory(
        affected("PyPI", "Demo_Pkg", ecosystem_range(("introduced", "0"))),
        affected("npm", "left-pad", ecosystem_range(("introduced", "0"))),
    )
    expected = {("PyPI", "demo-pkg"), ("npm", "left-pad")}
    assert index.add(record) == expected
    assert AdvisoryIndex.keys_for(record) == expected


def test_match_names_the_advisory_range_and_reason() -> None:
    index = AdvisoryIndex()
    index.add(_fixed_in("2.0", advisory_id="PYSEC-0000-1"))
    (match,) = index.match(DEMO_15)
    assert (match.advisory_id, match.verdict) == ("PYSEC-0000-1", Verdict.AFFECTED)
    assert (match.affected_index, match.range_index) == (0, 0)
    assert "fixed 2.0" in match.reason


def test_replacing_an_advisory_changes_its_matches() -> None:
    index = AdvisoryIndex()
    index.add(_fixed_in("2.0"))
    assert index.match(DEMO_15)
    touched = index.add(_fixed_in("1.2", modified="2024-02-01T00:00:00Z"))
    assert touched == {("PyPI", "demo")}
    assert index.match(DEMO_15) == []
    assert len(index) == 1


def test_an_older_record_does_not_replace_a_newer_one() -> None:
    index = AdvisoryIndex()
    index.add(_fixed_in("1.2", modified="2024-02-01T00:00:00Z"))
    assert index.add(_fixed_in("2.0", modified="2023-12-01T00:00:00Z")) == frozenset()
    assert index.match(DEMO_15) == []


def test_a_withdrawn_advisory_is_removed() -> None:
    index = AdvisoryIndex()
    index.add(_fixed_in("2.0"))
    touched = index.add(
        _fixed_in("2.0", modified="2024-03-01T00:00:00Z", withdrawn="2024-03-01T00:00:00Z")
    )
    assert touched == {("PyPI", "demo")}
    assert index.match(DEMO_15) == []
    assert "OSV-TEST-1" not in index


def test_remove_returns_keys_and_forgets_the_package() -> None:
    index = AdvisoryIndex()
    index.add(_fixed_in("2.0"))
    assert index.remove("OSV-TEST-1") == {("PyPI", "demo")}
    assert index.remove("OSV-TEST-1") == frozenset()
    assert index.match(DEMO_15) == []


def test_each_advisory_is_reported_once_even_when_several_ranges_match() -> None:
    index = AdvisoryIndex()
    index.add(
        advisory(
            affected(
                "PyPI",
                "demo",
                ecosystem_range(("introduced", "1.0"), ("fixed", "2.0")),
                ecosystem_range(("introduced", "1.5"), ("fixed", "1.6")),
                versions=("1.5",),
            )
        )
    )
    index.add(_fixed_in("3.0", advisory_id="OSV-TEST-2"))
    assert sorted(m.advisory_id for m in index.match(DEMO_15)) == ["OSV-TEST-1", "OSV-TEST-2"]


def test_affected_evidence_wins_over_unknown_for_one_advisory() -> None:
    index = AdvisoryIndex()
    index.add(
        advisory(
            affected("PyPI", "demo", ecosystem_range(("introduced", "1.0"))),
            affected("PyPI", "demo", ecosystem_range(("introduced", "not a version"))),
        )
    )
    assert [m.verdict for m in index.match(DEMO_15)] == [Verdict.AFFECTED]
    assert [m.verdict for m in index.match(Component("PyPI", "demo", "0.1"))] == [Verdict.UNKNOWN]
