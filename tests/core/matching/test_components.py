"""Component identity: ecosystem spelling, per-ecosystem name rules and purl mapping."""

from __future__ import annotations

import pytest

from clearinghouse.core.matching import (
    Component,
    canonical_ecosystem,
    component_from_purl,
    is_supported_ecosystem,
    normalise_name,
)


@pytest.mark.parametrize(
    ("ecosystem", "name", "expected"),
    [
        ("PyPI", "Django_REST.framework", "django-rest-framework"),  # PEP 503
        ("NuGet", "Newtonsoft.Json", "newtonsoft.json"),
        ("Packagist", "Symfony/HTTP-Kernel", "symfony/http-kernel"),
        ("crates.io", "Serde_JSON", "serde-json"),
        ("npm", "JSONStream", "JSONStream"),  # legacy npm names keep their case
        ("Go", "github.com/BurntSushi/toml", "github.com/BurntSushi/toml"),
        ("Maven", "org.apache.logging.log4j:log4j-core", "org.apache.logging.log4j:log4j-core"),
    ],
)
def test_names_are_normalised_as_their_ecosystem_compares_them(
    ecosystem: str, name: str, expected: str
) -> None:
    assert normalise_name(ecosystem, name) == expected


def test_ecosystems_are_spelled_as_osv_does_and_keep_their_release() -> None:
    assert canonical_ecosystem("pypi") == "PyPI"
    assert canonical_ecosystem("CRATES.IO") == "crates.io"
    assert canonical_ecosystem("debian:12") == "Debian:12"
    assert Component("pypi", "Requests", "2.0").ecosystem == "PyPI"


def test_only_ecosystems_with_a_version_ordering_are_supported() -> None:
    assert is_supported_ecosystem("Ubuntu:22.04:LTS")
    assert not is_supported_ecosystem("Linux")
    assert not is_supported_ecosystem("bitbucket")


@pytest.mark.parametrize(
    ("purl", "expected"),
    [
        ("pkg:pypi/Django@4.2.1", Component("PyPI", "django", "4.2.1")),
        ("pkg:npm/%40angular/core@16.0.0", Component("npm", "@angular/core", "16.0.0")),
        (
            "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
            Component("Maven", "org.apache.logging.log4j:log4j-core", "2.14.1"),
        ),
        (
            "pkg:golang/github.com/gorilla/websocket@v1.4.0",
            Component("Go", "github.com/gorilla/websocket", "v1.4.0"),
        ),
        ("pkg:cargo/serde_json@1.0.0", Component("crates.io", "serde-json", "1.0.0")),
        ("pkg:gem/rails@7.0.0", Component("RubyGems", "rails", "7.0.0")),
        (
            "pkg:composer/laravel/framework@9.0.0",
            Component("Packagist", "laravel/framework", "9.0.0"),
        ),
        # syft's Debian purls: the source package and its version are in `upstream`.
        (
            "pkg:deb/debian/gzip@1.6-5+b1?arch=arm64&upstream=gzip%401.6-5&distro=debian-9",
            Component("Debian:9", "gzip", "1.6-5"),
        ),
        (
            "pkg:deb/debian/gcc-6-base@6.3.0-18+deb9u1?upstream=gcc-6&distro=debian-9",
            Component("Debian:9", "gcc-6", "6.3.0-18+deb9u1"),
        ),
        (
            "pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64&distro=alpine-3.18.4",
            Component("Alpine:v3.18", "musl", "1.2.4-r2"),
        ),
        ("pkg:pypi/requests", Component("PyPI", "requests", "")),
    ],
)
def test_purls_map_to_the_component_osv_names(purl: str, expected: Component) -> None:
    component = component_from_purl(purl)
    assert (component.ecosystem, component.name, component.version) == (
        expected.ecosystem,
        expected.name,
        expected.version,
    )
    assert component.purl == purl


def test_a_purl_of_an_ecosystem_osv_lacks_is_kept_but_unsupported() -> None:
    component = component_from_purl("pkg:bitbucket/birkenfeld/pygments-main@244fd47")
    assert not is_supported_ecosystem(component.ecosystem)


def test_a_malformed_purl_is_refused() -> None:
    with pytest.raises(ValueError, match="purl"):
        component_from_purl("not-a-purl")
