"""OSV range semantics on hand-written cases, each checked by the reference and by the index.

Every expected verdict is reasoned from the OSV specification ("Evaluation") and the version
rules of the ecosystem, never copied from the code's output.
"""

from __future__ import annotations

import pytest

from clearinghouse.core.formats.osv import Advisory
from clearinghouse.core.matching import AdvisoryIndex, Component, Verdict, evaluate

from .records import advisory, affected, ecosystem_range, git_range, semver_range

A, N, U = Verdict.AFFECTED, Verdict.NOT_AFFECTED, Verdict.UNKNOWN

INTRODUCED_FIXED = advisory(
    affected("PyPI", "demo", ecosystem_range(("introduced", "1.0"), ("fixed", "2.0")))
)
LAST_AFFECTED = advisory(
    affected("PyPI", "demo", ecosystem_range(("introduced", "1.0"), ("last_affected", "1.5")))
)
EXACTLY_ONE = advisory(
    affected("PyPI", "demo", ecosystem_range(("introduced", "1.0"), ("last_affected", "1.0")))
)
LIMIT = advisory(affected("PyPI", "demo", ecosystem_range(("introduced", "0"), ("limit", "2.0"))))
FROM_START = advisory(
    affected("PyPI", "demo", ecosystem_range(("introduced", "0"), ("fixed", "1.0")))
)
TWO_RANGES = advisory(
    affected(
        "PyPI",
        "demo",
        ecosystem_range(("introduced", "1.0"), ("fixed", "1.2")),
        ecosystem_range(("introduced", "2.0"), ("fixed", "2.1")),
    )
)
# One range whose second interval starts where the first is fixed: fixed is processed before
# introduced at equal versions, so 2.0 stays affected.
TOUCHING = advisory(
    affected(
        "PyPI",
        "demo",
        ecosystem_range(
            ("introduced", "1.0"), ("fixed", "2.0"), ("introduced", "2.0"), ("fixed", "3.0")
        ),
    )
)
# Events in the record need not be in version order; evaluation sorts them.
UNSORTED = advisory(
    affected(
        "PyPI",
        "demo",
        ecosystem_range(
            ("introduced", "3.0"), ("fixed", "3.1"), ("introduced", "1.0"), ("fixed", "1.1")
        ),
    )
)
RANGE_OR_LIST = advisory(
    affected(
        "PyPI",
        "demo",
        ecosystem_range(("introduced", "1.0"), ("fixed", "1.1")),
        versions=("0.5", "weird-build-7"),
    )
)
SEMVER_PRERELEASE = advisory(
    affected(
        "crates.io",
        "demo",
        semver_range(("introduced", "1.0.0-alpha.1"), ("fixed", "1.0.0")),
    )
)
GIT_ONLY = advisory(affected("PyPI", "demo", git_range()))
GIT_AND_LIST = advisory(affected("PyPI", "demo", git_range(), versions=("1.0",)))
GIT_AND_ECOSYSTEM = advisory(
    affected("PyPI", "demo", git_range(), ecosystem_range(("introduced", "1.0"), ("fixed", "2.0")))
)
NO_ORDERING = advisory(affected("Linux", "demo", ecosystem_range(("introduced", "5.0"))))
BAD_EVENT = advisory(affected("PyPI", "demo", ecosystem_range(("introduced", "not a version"))))
DEBIAN = advisory(
    affected("Debian:12", "demo", ecosystem_range(("introduced", "0"), ("fixed", "1.2.3-1")))
)
WHOLE_DEBIAN = advisory(
    affected("Debian", "demo", ecosystem_range(("introduced", "0"), ("fixed", "1.2.3-1")))
)
ALPINE = advisory(
    affected("Alpine:v3.18", "demo", ecosystem_range(("introduced", "0"), ("fixed", "1.2.3-r2")))
)
MAVEN = advisory(
    affected(
        "Maven",
        "org.example:demo",
        ecosystem_range(("introduced", "2.0"), ("fixed", "2.15.0")),
    )
)
GO = advisory(
    affected("Go", "example.org/demo", semver_range(("introduced", "0"), ("fixed", "1.2.3")))
)
NPM = advisory(affected("npm", "Demo", semver_range(("introduced", "0"), ("fixed", "2.0.0"))))
TWO_PACKAGES = advisory(
    affected("PyPI", "demo", ecosystem_range(("introduced", "0"), ("fixed", "1.0"))),
    affected("PyPI", "demo", ecosystem_range(("introduced", "5.0"))),
)

DOTTED_NAME = advisory(
    affected("PyPI", "zope.interface", ecosystem_range(("introduced", "1.0"), ("fixed", "2.0")))
)

CASES: list[tuple[str, Advisory, Component, Verdict]] = [
    ("introduced is inclusive", INTRODUCED_FIXED, Component("PyPI", "demo", "1.0"), A),
    ("inside the interval", INTRODUCED_FIXED, Component("PyPI", "demo", "1.9.9"), A),
    ("fixed is exclusive", INTRODUCED_FIXED, Component("PyPI", "demo", "2.0"), N),
    ("below introduced", INTRODUCED_FIXED, Component("PyPI", "demo", "0.9"), N),
    (
        "a pre-release of the fix is before it",
        INTRODUCED_FIXED,
        Component("PyPI", "demo", "2.0rc1"),
        A,
    ),
    ("PEP 440 equal spelling of fixed", INTRODUCED_FIXED, Component("PyPI", "demo", "2.0.0"), N),
    ("other package", INTRODUCED_FIXED, Component("PyPI", "other", "1.5"), N),
    ("PEP 503 name spelling", DOTTED_NAME, Component("pypi", "Zope_Interface", "1.5"), A),
    ("other ecosystem", INTRODUCED_FIXED, Component("npm", "demo", "1.5.0"), N),
    ("last_affected is inclusive", LAST_AFFECTED, Component("PyPI", "demo", "1.5"), A),
    ("above last_affected", LAST_AFFECTED, Component("PyPI", "demo", "1.5.post1"), N),
    ("introduced = last_affected: that one", EXACTLY_ONE, Component("PyPI", "demo", "1.0"), A),
    ("introduced = last_affected: not after", EXACTLY_ONE, Component("PyPI", "demo", "1.0.1"), N),
    ("below limit", LIMIT, Component("PyPI", "demo", "1.9"), A),
    ("limit is exclusive", LIMIT, Component("PyPI", "demo", "2.0"), N),
    ("introduced 0 covers the first release", FROM_START, Component("PyPI", "demo", "0.0.1"), A),
    ("introduced 0 covers a dev release", FROM_START, Component("PyPI", "demo", "0.0.0.dev0"), A),
    ("first range", TWO_RANGES, Component("PyPI", "demo", "1.1"), A),
    ("between ranges", TWO_RANGES, Component("PyPI", "demo", "1.5"), N),
    ("second range", TWO_RANGES, Component("PyPI", "demo", "2.0.5"), A),
    ("after both ranges", TWO_RANGES, Component("PyPI", "demo", "2.1"), N),
    ("fixed before introduced at equal versions", TOUCHING, Component("PyPI", "demo", "2.0"), A),
    ("touching intervals end", TOUCHING, Component("PyPI", "demo", "3.0"), N),
    ("unsorted events, first interval", UNSORTED, Component("PyPI", "demo", "1.0.5"), A),
    ("unsorted events, gap", UNSORTED, Component("PyPI", "demo", "2.0"), N),
    ("unsorted events, second interval", UNSORTED, Component("PyPI", "demo", "3.0"), A),
    ("versions list is OR'd in", RANGE_OR_LIST, Component("PyPI", "demo", "0.5"), A),
    ("versions list matches PEP 440 equals", RANGE_OR_LIST, Component("PyPI", "demo", "0.5.0"), A),
    (
        "invalid version listed: exact string",
        RANGE_OR_LIST,
        Component("PyPI", "demo", "weird-build-7"),
        A,
    ),
    (
        "invalid version not listed: unknown",
        RANGE_OR_LIST,
        Component("PyPI", "demo", "weird-build-8"),
        U,
    ),
    ("empty version: unknown", RANGE_OR_LIST, Component("PyPI", "demo", ""), U),
    ("range still applies beside the list", RANGE_OR_LIST, Component("PyPI", "demo", "1.0"), A),
    ("outside range and list", RANGE_OR_LIST, Component("PyPI", "demo", "0.6"), N),
    (
        "semver pre-release inside",
        SEMVER_PRERELEASE,
        Component("crates.io", "demo", "1.0.0-beta"),
        A,
    ),
    ("semver alpha < alpha.1", SEMVER_PRERELEASE, Component("crates.io", "demo", "1.0.0-alpha"), N),
    (
        "semver build metadata has no precedence",
        SEMVER_PRERELEASE,
        Component("crates.io", "demo", "1.0.0+build.5"),
        N,
    ),
    (
        "semver build metadata inside",
        SEMVER_PRERELEASE,
        Component("crates.io", "demo", "1.0.0-beta+exp.sha"),
        A,
    ),
    (
        "crate name - and _ are one",
        SEMVER_PRERELEASE,
        Component("crates.io", "Demo", "1.0.0-beta"),
        A,
    ),
    ("GIT only: unknown", GIT_ONLY, Component("PyPI", "demo", "1.0"), U),
    ("GIT and list: listed", GIT_AND_LIST, Component("PyPI", "demo", "1.0"), A),
    ("GIT and list: not listed", GIT_AND_LIST, Component("PyPI", "demo", "1.1"), N),
    ("GIT beside ECOSYSTEM is skipped", GIT_AND_ECOSYSTEM, Component("PyPI", "demo", "2.5"), N),
    ("GIT beside ECOSYSTEM, inside", GIT_AND_ECOSYSTEM, Component("PyPI", "demo", "1.5"), A),
    ("no ordering for the ecosystem", NO_ORDERING, Component("Linux", "demo", "6.1"), U),
    ("event version invalid: unknown", BAD_EVENT, Component("PyPI", "demo", "1.0"), U),
    ("dpkg tilde sorts before", DEBIAN, Component("Debian:12", "demo", "1.2.3~rc1-1"), A),
    ("dpkg epoch sorts after", DEBIAN, Component("Debian:12", "demo", "1:0.1-1"), N),
    ("dpkg revision", DEBIAN, Component("Debian:12", "demo", "1.2.3-0.1"), A),
    ("other Debian release", DEBIAN, Component("Debian:11", "demo", "1.0-1"), N),
    (
        "whole-Debian advisory covers a release",
        WHOLE_DEBIAN,
        Component("Debian:12", "demo", "1.0-1"),
        A,
    ),
    ("apk release below fix", ALPINE, Component("Alpine:v3.18", "demo", "1.2.3-r1"), A),
    ("apk release at fix", ALPINE, Component("Alpine:v3.18", "demo", "1.2.3-r2"), N),
    ("Maven rc before release", MAVEN, Component("Maven", "org.example:demo", "2.15.0-rc1"), A),
    ("Maven 2.9 < 2.15", MAVEN, Component("Maven", "org.example:demo", "2.9.1"), A),
    ("Maven at fix", MAVEN, Component("Maven", "org.example:demo", "2.15.0"), N),
    ("Go v prefix", GO, Component("Go", "example.org/demo", "v1.2.3"), N),
    (
        "Go pseudo-version",
        GO,
        Component("Go", "example.org/demo", "v0.0.0-20200101000000-abcdef123456"),
        A,
    ),
    ("npm names are case-sensitive", NPM, Component("npm", "demo", "1.0.0"), N),
    ("npm exact name", NPM, Component("npm", "Demo", "1.0.0"), A),
    ("second affected entry", TWO_PACKAGES, Component("PyPI", "demo", "5.1"), A),
    ("between affected entries", TWO_PACKAGES, Component("PyPI", "demo", "2.0"), N),
]


def _index_verdict(index: AdvisoryIndex, advisory_id: str, component: Component) -> Verdict:
    verdicts = [m.verdict for m in index.match(component) if m.advisory_id == advisory_id]
    assert len(verdicts) <= 1, "an advisory is reported once per component"
    return verdicts[0] if verdicts else Verdict.NOT_AFFECTED


@pytest.mark.parametrize(
    ("case", "record", "component", "expected"), CASES, ids=[case[0] for case in CASES]
)
def test_reference_and_index_give_the_specified_verdict(
    case: str, record: Advisory, component: Component, expected: Verdict
) -> None:
    index = AdvisoryIndex()
    index.add(record)
    assert evaluate(record, component) is expected, case
    assert _index_verdict(index, record.id, component) is expected, case
