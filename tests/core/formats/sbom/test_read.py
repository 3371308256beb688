"""read_sbom on small hand-written SBOMs: what each format yields, and what hostile input gets."""

from __future__ import annotations

import json

import pytest

from clearinghouse.core.formats.sbom import Sbom, SbomError, SbomFormat, read_sbom

LEGACY_CPE = "cpe:2.3:a:v:legacy:2:*:*:*:*:*:*:*"
CYCLONEDX_JSON = {
    "bomFormat": "CycloneDX",
    "specVersion": "1.6",
    "serialNumber": "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",
    "version": 1,
    "metadata": {
        "tools": {"components": [{"type": "application", "name": "cdxgen", "version": "10"}]},
        "component": {"type": "application", "name": "shop", "version": "1.0", "bom-ref": "shop"},
    },
    "components": [
        {
            "type": "library",
            "group": "@angular",
            "name": "core",
            "version": "17.0.0",
            "purl": "pkg:npm/%40angular/core@17.0.0",
            "bom-ref": "pkg:npm/%40angular/core@17.0.0",
            "components": [
                {
                    "type": "library",
                    "name": "nested",
                    "version": "1.0",
                    "purl": "pkg:maven/org.example/nested@1.0",
                }
            ],
        },
        {"type": "library", "name": "noversion", "purl": "pkg:pypi/noversion"},
        {"type": "library", "name": "badpurl", "version": "1", "purl": "pkg:"},
        {
            "type": "library",
            "name": "legacy",
            "version": "2",
            "cpe": "cpe:2.3:a:v:legacy:2:*:*:*:*:*:*:*",
        },
    ],
    "services": [{"name": "not-a-component"}],
    "dependencies": [{"ref": "shop", "dependsOn": []}],
}

CYCLONEDX_XML = b"""<?xml version="1.0" encoding="UTF-8"?>
<bom xmlns="http://cyclonedx.org/schema/bom/1.6"
     serialNumber="urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79" version="1">
  <metadata>
    <tools><components>
      <component type="application"><name>cdxgen</name><version>10</version></component>
    </components></tools>
    <component type="application" bom-ref="shop"><name>shop</name><version>1.0</version></component>
  </metadata>
  <components>
    <component type="library" bom-ref="pkg:npm/%40angular/core@17.0.0">
      <group>@angular</group><name>core</name><version>17.0.0</version>
      <purl>pkg:npm/%40angular/core@17.0.0</purl>
      <components>
        <component type="library">
          <name>nested</name><version>1.0</version>
          <purl>pkg:maven/org.example/nested@1.0</purl>
        </component>
      </components>
    </component>
    <component type="library"><name>noversion</name><purl>pkg:pypi/noversion</purl></component>
    <component type="library"><name>badpurl</name><version>1</version><purl>pkg:</purl></component>
    <component type="library">
      <name>legacy</name><version>2</version><cpe>cpe:2.3:a:v:legacy:2:*:*:*:*:*:*:*</cpe>
    </component>
  </components>
  <services><service><name>not-a-component</name></service></services>
</bom>
"""

SPDX_TAG_VALUE = """SPDXVersion: SPDX-2.3
DataLicense: CC0-1.0
SPDXID: SPDXRef-DOCUMENT
DocumentName: hand-written
DocumentNamespace: https://example.org/spdx/hand-written-1
Creator: Tool: hand
Created: 2024-01-01T00:00:00Z

PackageName: requests
SPDXID: SPDXRef-requests
PackageVersion: 2.31.0
PackageDownloadLocation: NOASSERTION
FilesAnalyzed: false
PackageCopyrightText: <text>Copyright the authors
PackageName: not-a-package
</text>
ExternalRef: PACKAGE-MANAGER purl pkg:pypi/requests@2.31.0
ExternalRef: SECURITY cpe23Type cpe:2.3:a:python:requests:2.31.0:*:*:*:*:*:*:*

PackageName: mystery
SPDXID: SPDXRef-mystery
PackageVersion: NOASSERTION
PackageDownloadLocation: NOASSERTION
FilesAnalyzed: false

FileName: ./setup.py
SPDXID: SPDXRef-file
FileChecksum: SHA1: da39a3ee5e6b4b0d3255bfef95601890afd80709
LicenseConcluded: NOASSERTION
FileCopyrightText: NOASSERTION
"""

SPDX_JSON = {
    "SPDXID": "SPDXRef-DOCUMENT",
    "name": "hand-written",
    "documentNamespace": "https://example.org/spdx/hand-written-1",
    "packages": [
        {
            "SPDXID": "SPDXRef-requests",
            "name": "requests",
            "versionInfo": "2.31.0",
            "externalRefs": [
                {
                    "referenceCategory": "PACKAGE-MANAGER",
                    "referenceType": "purl",
                    "referenceLocator": "pkg:pypi/requests@2.31.0",
                },
                {
                    "referenceCategory": "SECURITY",
                    "referenceType": "cpe23Type",
                    "referenceLocator": "cpe:2.3:a:python:requests:2.31.0:*:*:*:*:*:*:*",
                },
            ],
        },
        {"SPDXID": "SPDXRef-mystery", "name": "mystery", "versionInfo": "NOASSERTION"},
    ],
    # SPDX JSON need not put its version first (Microsoft's sbom-tool puts it last).
    "spdxVersion": "SPDX-2.3",
}


def _by_name(sbom: Sbom) -> dict[str, tuple[object, ...]]:
    return {
        c.name: (c.version, c.purl, c.ecosystem, c.package_name, c.cpes, c.ref, c.problem)
        for c in sbom.components
    }


@pytest.mark.parametrize(
    ("data", "bom_format"),
    [
        (json.dumps(CYCLONEDX_JSON).encode(), SbomFormat.CYCLONEDX_JSON),
        (CYCLONEDX_XML, SbomFormat.CYCLONEDX_XML),
    ],
)
def test_cyclonedx_yields_subject_and_nested_components_but_not_tools_or_services(
    data: bytes, bom_format: SbomFormat
) -> None:
    sbom = read_sbom(data, "bom")
    assert (sbom.format, sbom.spec_version, sbom.name) == (bom_format, "1.6", "shop")
    assert sbom.serial == "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79"
    # Document order, parents before the components nested in them.
    assert [c.name for c in sbom.components] == [
        "shop", "core", "nested", "noversion", "badpurl", "legacy",
    ]  # fmt: skip
    found = _by_name(sbom)
    purl = "pkg:npm/%40angular/core@17.0.0"
    assert found["core"] == ("17.0.0", purl, "npm", "@angular/core", (), purl, None)
    assert found["nested"][2:4] == ("Maven", "org.example:nested")
    assert found["noversion"][6] == "no version"
    assert "purl 'pkg:' does not parse" in str(found["badpurl"][6])
    assert found["legacy"][4] == (LEGACY_CPE,)
    assert found["legacy"][6] is None  # a CPE identifies it even without a purl
    assert found["shop"][6] == "no purl or CPE to identify it"


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_spdx_tag_value_reads_packages_and_skips_free_text(newline: str) -> None:
    sbom = read_sbom(SPDX_TAG_VALUE.replace("\n", newline).encode(), "doc.spdx")
    assert (sbom.format, sbom.spec_version, sbom.name) == (
        SbomFormat.SPDX_TAG_VALUE, "2.3", "hand-written",
    )  # fmt: skip
    assert sbom.serial == "https://example.org/spdx/hand-written-1"
    found = _by_name(sbom)
    assert list(found) == ["requests", "mystery"]
    assert found["requests"] == (
        "2.31.0",
        "pkg:pypi/requests@2.31.0",
        "PyPI",
        "requests",
        ("cpe:2.3:a:python:requests:2.31.0:*:*:*:*:*:*:*",),
        "SPDXRef-requests",
        None,
    )
    # NOASSERTION is SPDX for "unknown", not a version; the file's SPDXID is not the package's.
    assert found["mystery"] == (
        None, None, None, None, (), "SPDXRef-mystery", "no version; no purl or CPE to identify it",
    )  # fmt: skip


def test_spdx_json_and_tag_value_of_one_document_read_alike() -> None:
    from_json = read_sbom(json.dumps(SPDX_JSON).encode(), "doc.spdx.json")
    from_tag_value = read_sbom(SPDX_TAG_VALUE.encode(), "doc.spdx")
    assert from_json.format is SbomFormat.SPDX_JSON
    assert (from_json.name, from_json.serial, from_json.components) == (
        from_tag_value.name, from_tag_value.serial, from_tag_value.components,
    )  # fmt: skip


@pytest.mark.parametrize(
    "data",
    [json.dumps(CYCLONEDX_JSON).encode(), SPDX_TAG_VALUE.encode(), json.dumps(SPDX_JSON).encode()],
    ids=["cyclonedx-json", "spdx-tag-value", "spdx-json"],
)
def test_library_readers_agree_with_fast_readers_on_hand_written_documents(data: bytes) -> None:
    # What the libraries refuse outright, and matching does not need: one bad purl sinks a
    # whole BOM in cyclonedx-python-lib; spdx-tools' tag-value grammar has no NOASSERTION version.
    data = data.replace(b'"purl": "pkg:"', b'"purl": "pkg:npm/badpurl@1"')
    data = data.replace(b"PackageVersion: NOASSERTION\n", b"")
    if b'"spdxVersion"' in data:  # spdx-tools needs what SPDX requires and matching ignores
        document = json.loads(data)
        document.update(
            dataLicense="CC0-1.0",
            creationInfo={"created": "2024-01-01T00:00:00Z", "creators": ["Tool: hand"]},
        )
        for package in document["packages"]:
            package["downloadLocation"] = "NOASSERTION"
            package["filesAnalyzed"] = False
        data = json.dumps(document).encode()
    fast = read_sbom(data)
    library = read_sbom(data, use_libraries=True)
    assert (library.format, library.spec_version, library.name, library.serial) == (
        fast.format, fast.spec_version, fast.name, fast.serial,
    )  # fmt: skip
    assert set(library.components) == set(fast.components)


def test_utf8_bom_and_utf16_json_are_read() -> None:
    text = json.dumps(SPDX_JSON)
    expected = read_sbom(text.encode()).components
    assert read_sbom(b"\xef\xbb\xbf" + text.encode()).components == expected
    assert read_sbom(text.encode("utf-16")).components == expected


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE bom [
  <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
  <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
  <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
  <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
  <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
  <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
  <!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">
  <!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">
  <!ENTITY i "&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;">
]>
<bom xmlns="http://cyclonedx.org/schema/bom/1.4" version="1">
  <components><component type="library"><name>&i;</name></component></components>
</bom>
"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE bom [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<bom xmlns="http://cyclonedx.org/schema/bom/1.4" version="1">
  <components><component type="library"><name>&secret;</name></component></components>
</bom>
"""


@pytest.mark.parametrize("data", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["billion-laughs", "xxe"])
@pytest.mark.parametrize("use_libraries", [False, True])
def test_xml_with_entities_is_refused_before_expansion(data: bytes, use_libraries: bool) -> None:
    with pytest.raises(SbomError, match=r"^evil\.xml: XML refused: it declares a DTD or entities"):
        read_sbom(data, "evil.xml", use_libraries=use_libraries)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b'{"bomFormat": "CycloneDX", "specVersion": "1.4", ', r"not valid JSON: Expecting"),
        (
            b'{"bomFormat": "CycloneDX" "specVersion": "1.4"}',
            r"not valid JSON: Expecting ',' or '}'",
        ),
        (b'{"spdxVersion": "SPDX-2.3", "packages": [{}, ]}', r"not valid JSON: Expecting value"),
        (b'{"spdxVersion": "SPDX-2.3"} trailing', r"not valid JSON: Extra data"),
        (b'[{"purl": "pkg:npm/x@1"}]', r"not an SBOM: the JSON document is not an object"),
        (b'{"dependencies": []}', r"neither CycloneDX 'bomFormat' nor SPDX 'spdxVersion'"),
        (b'{"@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld"}', r"SPDX 3\) is not"),
        (b'{"bomFormat": "CycloneDX", "specVersion": "2.0"}', r"CycloneDX version '2.0'"),
        (b'{"spdxVersion": "SPDX-3.0"}', r"SPDX version 'SPDX-3.0' is not supported"),
        (b"<html><body>hello</body></html>", r"XML root 'html' is not a CycloneDX bom"),
        (b'<bom xmlns="http://cyclonedx.org/schema/bom/1.4"><components>', r"not well-formed XML"),
        (b"name,version\nrequests,2.31.0\n", r"not JSON or XML, and no SPDX tag-value"),
        (b"\xc3\x28 invalid UTF-8", r"not utf-8 text"),
        (b"", r"no SPDX tag-value 'SPDXVersion' tag"),
    ],
)
def test_malformed_or_foreign_input_is_refused_naming_file_and_reason(
    data: bytes, reason: str
) -> None:
    with pytest.raises(SbomError, match=rf"^upload\.bin: .*{reason}") as caught:
        read_sbom(data, "upload.bin")
    assert caught.value.filename == "upload.bin"


def test_deeply_nested_json_is_refused_not_crashed() -> None:
    depth = 200_000
    data = b'{"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [' + (
        b"[" * depth + b"]" * depth + b"]}"
    )
    with pytest.raises(SbomError, match="nested too deeply"):
        read_sbom(data, "deep.json")


def test_upload_over_the_size_limit_is_refused_before_parsing() -> None:
    data = json.dumps(CYCLONEDX_JSON).encode()
    assert read_sbom(data, max_bytes=len(data)).name == "shop"
    with pytest.raises(SbomError, match=r"^big\.json: .* bytes is over the .*-byte limit"):
        read_sbom(data, "big.json", max_bytes=len(data) - 1)


def test_error_without_filename_still_says_it_is_an_sbom() -> None:
    with pytest.raises(SbomError, match=r"^SBOM: not valid JSON"):
        read_sbom(b"{")
