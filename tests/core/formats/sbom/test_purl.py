"""The fast purl splitter agrees with packageurl-python and names ecosystems as OSV does."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from packageurl import PackageURL

from clearinghouse.core.formats.sbom import SbomError, read_sbom
from clearinghouse.core.formats.sbom._purl import ecosystem_of, package_name_of, split_purl
from tests.shared_data import shared_data

EDGE_CASES = [
    "pkg:npm/%40angular/core@17.0.0",
    "pkg:npm/@angular/core@17.0.0",
    "pkg:maven/org.apache.commons/commons-lang3@3.9?type=jar#sub/path",
    "pkg:golang/github.com/gorilla/mux@v1.8.0",
    "pkg:deb/debian/libc6@2.31-13?arch=amd64&distro=debian-11",
    "pkg:pypi/Foo_Bar@1.0",
    "pkg:PyPI/requests",
    "pkg:generic/openssl@1.1.1%2Bfips",
    "pkg://npm/left-pad@1.3.0",
    "pkg:npm/left-pad@",
]
INVALID = [
    "",
    "https://github.com/x/y",
    "pkg:",
    "pkg:npm",
    "pkg:/x",
    "pkg:1type/x",
    "pkg:npm/@scope",
]


def _identity(purl: PackageURL) -> tuple[object, ...]:
    return (purl.type, purl.namespace or None, purl.name, purl.version or None)


def _assert_agrees(purl: str) -> None:
    parts = split_purl(purl)
    # The library normalises both sides alike, so this checks the splitting, not normalisation.
    rebuilt = PackageURL(parts.type, parts.namespace or None, parts.name, parts.version)
    assert _identity(rebuilt) == _identity(PackageURL.from_string(purl)), purl


@cache
def _real_purls() -> frozenset[str]:
    purls: set[str] = set()
    for path in Path(shared_data("sbom")).rglob("*"):
        if path.is_file() and path.suffix not in {".md", ".csv"}:
            try:
                sbom = read_sbom(path.read_bytes(), path.name)
            except SbomError:
                continue
            purls.update(c.purl for c in sbom.components if c.purl and not c.problem)
    return frozenset(purls)


@pytest.mark.parametrize("purl", EDGE_CASES)
def test_split_purl_agrees_with_packageurl_on_edge_cases(purl: str) -> None:
    _assert_agrees(purl)


def test_split_purl_agrees_with_packageurl_on_every_real_purl() -> None:
    purls = _real_purls()
    assert len(purls) > 9_000
    for purl in purls:
        _assert_agrees(purl)


@pytest.mark.parametrize("purl", INVALID)
def test_split_purl_refuses_what_packageurl_refuses(purl: str) -> None:
    with pytest.raises(ValueError):
        PackageURL.from_string(purl)
    with pytest.raises(ValueError):
        split_purl(purl)


@pytest.mark.parametrize(
    ("purl", "ecosystem", "package_name"),
    [
        ("pkg:pypi/django@5.2", "PyPI", "django"),
        ("pkg:npm/%40angular/core@17.0.0", "npm", "@angular/core"),
        (
            "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
            "Maven",
            "org.apache.logging.log4j:log4j-core",
        ),
        ("pkg:golang/github.com/gorilla/mux@v1.8.0", "Go", "github.com/gorilla/mux"),
        ("pkg:cargo/serde@1.0.0", "crates.io", "serde"),
        ("pkg:gem/rails@7.0.0", "RubyGems", "rails"),
        ("pkg:nuget/Newtonsoft.Json@13.0.1", "NuGet", "Newtonsoft.Json"),
        ("pkg:composer/laravel/framework@7.12.0", "Packagist", "laravel/framework"),
        ("pkg:deb/debian/openssl@1.1.1n-0+deb11u3", "Debian", "openssl"),
        ("pkg:deb/ubuntu/openssl@3.0.2", "Ubuntu", "openssl"),
        ("pkg:apk/alpine/musl@1.2.3-r0", "Alpine", "musl"),
        ("pkg:rpm/redhat/openssl@1.1.1k", "Red Hat", "openssl"),
        ("pkg:github/cyclonedx/cyclonedx-python@1.0", None, "cyclonedx/cyclonedx-python"),
    ],
)
def test_purl_type_names_the_osv_ecosystem_and_package(
    purl: str, ecosystem: str | None, package_name: str
) -> None:
    parts = split_purl(purl)
    assert ecosystem_of(parts) == ecosystem
    assert package_name_of(parts) == package_name
