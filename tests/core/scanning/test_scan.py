"""The scan shared by the offline scanner and the server: identities, problems, verdicts."""

from __future__ import annotations

import datetime as dt

from clearinghouse.core.formats.osv import (
    Advisory,
    AffectedPackage,
    Event,
    EventKind,
    Package,
    Range,
    RangeType,
)
from clearinghouse.core.formats.sbom import SbomComponent
from clearinghouse.core.scanning import build_index, matchable, scan


def component(purl: str | None, version: str | None = "1.5", **extra: object) -> SbomComponent:
    fields = {
        "name": "x",
        "version": version,
        "purl": purl,
        "ecosystem": None,
        "package_name": None,
        "cpes": (),
        "ref": None,
        "problem": None,
    } | extra
    return SbomComponent(**fields)  # type: ignore[arg-type]


def test_distribution_packages_are_named_by_their_source_package_and_release() -> None:
    item = component(
        "pkg:deb/debian/libssl3@3.0.11-1?upstream=openssl&distro=debian-12",
        version="3.0.11-1",
        ecosystem="Debian",
        package_name="libssl3",
    )
    key, problem = matchable(item)
    assert key is not None and (key.ecosystem, key.name, problem) == ("Debian:12", "openssl", None)


def test_components_without_identity_or_order_say_why() -> None:
    assert matchable(component(None, problem="no version")) == (None, "no version")
    assert matchable(component(None))[1] == "no package URL of an ecosystem that advisories cover"
    key, problem = matchable(component("pkg:hackage/w@1.5", ecosystem="Hackage", package_name="w"))
    assert key is not None and problem is not None and "cannot be ordered" in problem


def test_scan_marks_the_affected_component_vulnerable() -> None:
    advisory = Advisory(
        id="PYSEC-1",
        modified=dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
        affected=(
            AffectedPackage(
                Package("PyPI", "Demo_Pkg"),
                (
                    Range(
                        RangeType.ECOSYSTEM,
                        (Event(EventKind.INTRODUCED, "1.0"), Event(EventKind.FIXED, "2.0")),
                    ),
                ),
            ),
        ),
    )
    inside = component("pkg:pypi/demo-pkg@1.5", ecosystem="PyPI", package_name="demo-pkg")
    outside = component(
        "pkg:pypi/demo-pkg@2.0", version="2.0", ecosystem="PyPI", package_name="demo-pkg"
    )
    results = scan([inside, outside], build_index([advisory]))
    assert [r.vulnerable for r in results] == [True, False]
    assert [m.advisory_id for m in results[0].matches] == ["PYSEC-1"]
