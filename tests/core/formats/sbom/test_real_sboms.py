"""read_sbom on the real SBOMs in shared data: each parses or is refused for a known reason, and
the fast readers agree with the libraries' readers and with each other across formats."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from packageurl import PackageURL

from clearinghouse.core.formats.sbom import Sbom, SbomError, SbomFormat, read_sbom
from tests.shared_data import shared_data

# Files that are not SBOMs (or not well-formed), though the dataset files them as SBOMs.
REFUSED = {
    # SCANOSS scan results, not CycloneDX
    "wild/cyclonedx/bashrc2-sbom-cdx.json": "neither CycloneDX 'bomFormat' nor SPDX 'spdxVersion'",
    "wild/cyclonedx/scanoss-sbom-cdx.json": "the JSON document is not an object",
    # The SPDX licence list, not an SPDX document
    "wild/spdx/maubot-spdx.json": "neither CycloneDX 'bomFormat' nor SPDX 'spdxVersion'",
    # A web page's footer text follows the JSON
    "wild/spdx/powershell-2.2.6.spdx.json": "Extra data after the JSON document",
}

# Files the fast reader reads but a library refuses, and why (checked by hand in each file).
FRACTIONAL_SECONDS = "does not match format"  # spdx-tools wants whole seconds in `created`
LIBRARY_REFUSED = {
    "wild/cyclonedx/jx-darwin-arm64.tar.gz.sbom": FRACTIONAL_SECONDS,
    "wild/cyclonedx/obsidian-sailboat-sbom-cdx.json": "Either `id` or `name` MUST be supplied",
    "wild/spdx/chronicle-sbom.spdx.json": FRACTIONAL_SECONDS,
    "wild/spdx/constellation-spdx.json": FRACTIONAL_SECONDS,
    "wild/spdx/flagger_1.18.0_sbom.spdx.json": FRACTIONAL_SECONDS,
    "wild/spdx/flux_0.26.3_sbom.spdx.json": FRACTIONAL_SECONDS,
    "wild/spdx/grype-sbom.spdx.json": FRACTIONAL_SECONDS,
    "wild/spdx/helm-controller_0.16.0_sbom.spdx.json": FRACTIONAL_SECONDS,
    "wild/spdx/image-automation-controller_0.20.0_sbom.spdx.json": FRACTIONAL_SECONDS,
    "wild/spdx/image-reflector-controller_0.16.0_sbom.spdx.json": FRACTIONAL_SECONDS,
    "wild/spdx/kustomizer_2.1.0_sbom.spdx.json": FRACTIONAL_SECONDS,
    "wild/spdx/notification-controller_0.21.0_sbom.spdx.json": FRACTIONAL_SECONDS,
    "wild/spdx/source-controller_0.21.2_sbom.spdx.json": FRACTIONAL_SECONDS,
    # packages whose supplier is "Organization: Microsoft/GitHub"-less "Microsoft/GitHub"
    "wild/spdx/missionlz.spdx.json": "match any of person, organization or tool",
    "wild/spdx/win-x64-manifest.spdx.json": "match any of person, organization or tool",
    "wild/spdx/powershell.spdx.json": "'NoneType' object is not iterable",
}

# The six juice-shop npm variants hold the same components; cyclonedx-python-lib takes ~1 ms a
# component, so one variant goes through it and the rest are held to that one (fast vs fast).
JUICE_SHOP = "SBOM/juice-shop/via_npm"
JUICE_SHOP_REFERENCE = f"{JUICE_SHOP}/flat/bom.1.4.json"

# A sample for the slow library XML reader; the rest are held to their JSON twins.
XML_SAMPLE = [
    "SBOM/cern-lhc-vdm-editor-e564943/bom.xml",
    "SBOM/laravel-7.12.0/bom.1.1.xml",
    "SBOM/proton-bridge/proton-bridge-v1.6.3.bom.xml",
    "wild/cyclonedx/archivist-shell-cdx.xml",
    "wild/cyclonedx/mediawiki-cdx.xml",
    "wild/cyclonedx/traefix-cdx.xml",
]
# spdx-tools' tag-value parser is slow (145 s on istio-source.spdx) and refuses most real files;
# these two it reads in about a second.
TAG_VALUE_SAMPLE = ["wild/spdx/mqtt-client-sbom.spdx", "wild/spdx/powershell.spdx"]


def _root() -> Path:
    return shared_data("sbom")


def _sbom_files() -> list[str]:
    root = _root()
    return sorted(
        path.relative_to(root).as_posix()
        for folder in ("wild", "containers", "SBOM")
        for path in (root / folder).rglob("*")
        if path.is_file() and path.suffix not in {".md", ".csv"}
    )


def _read(relative: str, *, use_libraries: bool = False) -> Sbom:
    path = _root() / relative
    return read_sbom(path.read_bytes(), path.name, use_libraries=use_libraries)


def _canonical(purl: str | None) -> str | None:
    # cyclonedx-python-lib hands back a parsed purl, so compare purls in canonical form.
    try:
        return PackageURL.from_string(purl).to_string() if purl else None
    except ValueError:
        return purl


def _identities(sbom: Sbom) -> set[tuple[str, str | None, str | None]]:
    return {(c.name, c.version, _canonical(c.purl)) for c in sbom.components}


def test_every_real_file_parses_or_is_refused_for_its_known_reason() -> None:
    files = _sbom_files()
    assert len(files) >= 100
    for relative in files:
        if relative in REFUSED:
            with pytest.raises(SbomError, match=rf"^{Path(relative).name}: .*{REFUSED[relative]}"):
                _read(relative)
            continue
        sbom = _read(relative)
        # usbutils.spdx describes files only
        assert sbom.components or relative == "wild/spdx/usbutils.spdx", relative


def test_format_comes_from_content_not_file_name() -> None:
    expected = {
        "wild/spdx/grype-sbom-modified.spdx.json": SbomFormat.SPDX_TAG_VALUE,
        "wild/cyclonedx/jx-darwin-arm64.tar.gz.sbom": SbomFormat.SPDX_JSON,
        "wild/cyclonedx/perl-cdx.xml": SbomFormat.CYCLONEDX_XML,
        "SBOM/laravel-7.12.0/bom.1.1.xml": SbomFormat.CYCLONEDX_XML,
        "wild/spdx/usbutils.spdx": SbomFormat.SPDX_TAG_VALUE,
    }
    assert {relative: _read(relative).format for relative in expected} == expected
    assert _read("SBOM/laravel-7.12.0/bom.1.1.xml").spec_version == "1.1"
    assert _read("wild/spdx/usbutils.spdx").spec_version == "2.1"


def test_fast_json_reader_matches_the_libraries_on_every_json_file() -> None:
    compared = 0
    for relative in _sbom_files():
        if relative in REFUSED or (
            relative.startswith(JUICE_SHOP) and relative != JUICE_SHOP_REFERENCE
        ):
            continue
        fast = _read(relative)
        if fast.format not in (SbomFormat.CYCLONEDX_JSON, SbomFormat.SPDX_JSON):
            continue
        if relative in LIBRARY_REFUSED:
            reason = re.escape(LIBRARY_REFUSED[relative])
            with pytest.raises(SbomError, match=f"refused it: .*{reason}"):
                _read(relative, use_libraries=True)
            continue
        library = _read(relative, use_libraries=True)
        assert (library.format, library.spec_version) == (fast.format, fast.spec_version)
        assert (library.name, library.serial) == (fast.name, fast.serial), relative
        assert _identities(library) == _identities(fast), relative
        compared += 1
    assert compared >= 40


@pytest.mark.parametrize("relative", XML_SAMPLE)
def test_fast_xml_reader_matches_cyclonedx_python_lib(relative: str) -> None:
    fast, library = _read(relative), _read(relative, use_libraries=True)
    assert (library.name, library.serial, library.spec_version) == (
        fast.name, fast.serial, fast.spec_version,
    )  # fmt: skip
    assert _identities(library) == _identities(fast)


@pytest.mark.parametrize("relative", TAG_VALUE_SAMPLE)
def test_fast_tag_value_reader_matches_spdx_tools(relative: str) -> None:
    fast, library = _read(relative), _read(relative, use_libraries=True)
    assert (library.name, library.serial) == (fast.name, fast.serial)
    assert _identities(library) == _identities(fast)
    assert {c.ref for c in library.components} == {c.ref for c in fast.components}


def _twins(suffix: str, twin_suffix: str) -> list[tuple[str, str]]:
    files = set(_sbom_files())
    return [
        (relative, relative.removesuffix(suffix) + twin_suffix)
        for relative in sorted(files)
        if relative.endswith(suffix) and relative.removesuffix(suffix) + twin_suffix in files
    ]


def _full(sbom: Sbom) -> tuple[object, ...]:
    components = {(c.name, c.version, c.purl, c.cpes, c.ref, c.problem) for c in sbom.components}
    return sbom.name, sbom.spec_version, components


def test_cyclonedx_xml_and_json_twins_read_alike() -> None:
    # Separate readers (JSON text vs XML elements) over the same BOM written twice; each
    # writing got its own serial number.
    pairs = _twins(".xml", ".json")
    assert len(pairs) >= 15
    for xml, json_twin in pairs:
        assert _full(_read(xml)) == _full(_read(json_twin)), xml


def test_spdx_tag_value_and_json_twins_read_alike() -> None:
    pairs = [pair for pair in _twins(".spdx", ".spdx.json") if "grype" not in pair[0]]
    assert len(pairs) >= 9
    for tag_value, json_twin in pairs:
        from_tag_value, from_json = _read(tag_value), _read(json_twin)
        assert from_tag_value.serial == from_json.serial
        # Casefolded: syft wrote github.com/minio/SHA256-simd in one source-controller file
        # and sha256-simd in the other.
        assert _casefolded(from_tag_value) == _casefolded(from_json), tag_value


def _casefolded(sbom: Sbom) -> set[str]:
    name, spec_version = sbom.name, sbom.spec_version
    components = _full(sbom)[2]
    assert isinstance(components, set)
    return {repr(item).casefold() for item in (name, spec_version, *components)}


def test_juice_shop_variants_hold_the_same_components() -> None:
    reference = _identities(_read(JUICE_SHOP_REFERENCE))
    variants = [relative for relative in _sbom_files() if relative.startswith(JUICE_SHOP)]
    assert len(variants) == 12
    for relative in variants:
        assert _identities(_read(relative)) == reference, relative


def test_fast_json_reader_reads_every_one_of_100k_components() -> None:
    count = 100_000
    components = ",".join(
        json.dumps(
            {"type": "library", "name": f"p{i}", "version": "1.0", "purl": f"pkg:npm/p{i}@1.0"}
        )
        for i in range(count)
    )
    data = f'{{"bomFormat":"CycloneDX","specVersion":"1.5","components":[{components}]}}'.encode()
    sbom = read_sbom(data, "big.json")  # speed is measured by benchmarks, not asserted here
    assert len(sbom.components) == count
    assert sbom.components[-1].package_name == f"p{count - 1}"
