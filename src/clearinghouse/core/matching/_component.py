"""A component to match: an ecosystem, a package name and a version, from fields or a purl."""

from __future__ import annotations

from dataclasses import dataclass

from packageurl import PackageURL

from ._ecosystems import canonical_ecosystem, normalise_name


@dataclass(frozen=True, slots=True)
class Component:
    """One package version as the matcher sees it.

    The ecosystem is stored in OSV's spelling and the name normalised for that ecosystem, so
    two spellings of one package are one component and a lookup is a plain dict get.
    """

    ecosystem: str
    name: str
    version: str
    purl: str | None = None

    def __post_init__(self) -> None:
        ecosystem = canonical_ecosystem(self.ecosystem)
        object.__setattr__(self, "ecosystem", ecosystem)
        object.__setattr__(self, "name", normalise_name(ecosystem, self.name))


# purl type -> OSV ecosystem, and how a namespace joins the name in that ecosystem.
_PURL_ECOSYSTEMS: dict[str, tuple[str, str]] = {
    "pypi": ("PyPI", ""),
    "npm": ("npm", "/"),
    "maven": ("Maven", ":"),
    "golang": ("Go", "/"),
    "cargo": ("crates.io", ""),
    "gem": ("RubyGems", ""),
    "nuget": ("NuGet", ""),
    "composer": ("Packagist", "/"),
    "hex": ("Hex", ""),
    "pub": ("Pub", ""),
    "swift": ("SwiftURL", "/"),
    "cran": ("CRAN", ""),
    "hackage": ("Hackage", ""),
    "conan": ("ConanCenter", ""),
}
# For OS packages the namespace names the distribution, and so the ecosystem.
_DISTRIBUTIONS: dict[str, str] = {
    "debian": "Debian",
    "ubuntu": "Ubuntu",
    "alpine": "Alpine",
    "wolfi": "Wolfi",
    "chainguard": "Chainguard",
    "redhat": "Red Hat",
    "rhel": "Red Hat",
    "almalinux": "AlmaLinux",
    "rocky": "Rocky Linux",
    "opensuse": "openSUSE",
    "suse": "SUSE",
}


def component_from_purl(purl: str) -> Component:
    """Map a package URL to the component OSV advisories name (ValueError if it is not a purl).

    Parsing a purl costs ~24 µs: do it once at intake, not per match. For Debian and Alpine
    packages the `upstream` qualifier (the source package, which is what their advisories
    name) is used when present, and a `distro` qualifier becomes the release suffix
    ("Debian:12", "Alpine:v3.18").
    """
    parsed = PackageURL.from_string(purl)
    version = parsed.version or ""
    if parsed.type in _PURL_ECOSYSTEMS:
        ecosystem, joiner = _PURL_ECOSYSTEMS[parsed.type]
        name = (
            f"{parsed.namespace}{joiner}{parsed.name}"
            if parsed.namespace and joiner
            else parsed.name
        )
        return Component(ecosystem, name, version, purl)
    distribution = _DISTRIBUTIONS.get((parsed.namespace or "").lower())
    if parsed.type in ("deb", "apk", "rpm") and distribution:
        qualifiers = parsed.qualifiers if isinstance(parsed.qualifiers, dict) else {}
        name = parsed.name
        if parsed.type != "rpm" and (upstream := qualifiers.get("upstream")):
            name, _, source_version = upstream.partition("@")
            version = source_version or version
        ecosystem = distribution + _release_suffix(distribution, qualifiers.get("distro", ""))
        return Component(ecosystem, name, version, purl)
    # Unknown to OSV: no advisory names this ecosystem, so nothing matches, and
    # `is_supported_ecosystem` tells the caller the component was not evaluable.
    return Component(parsed.type, parsed.name, version, purl)


def _release_suffix(distribution: str, distro: str) -> str:
    # syft writes distro=debian-12 / alpine-3.18.4; OSV names "Debian:12" / "Alpine:v3.18".
    _, _, release = distro.rpartition("-")
    if distribution == "Debian" and release.isdigit():
        return f":{release}"
    if distribution == "Alpine" and release.count(".") >= 1:
        major, minor = release.split(".")[:2]
        return f":v{major}.{minor}"
    return ""
