"""Submitted documents in any accepted format, validated whole and reduced to report items.

Pure (no Django): every format's official schema or structure is checked before anything
else happens, and a document with any problem is refused whole with each problem's place.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from clearinghouse.core.formats.csaf import CsafError, parse_csaf
from clearinghouse.core.formats.cve5 import Cve5Error, parse_cve5
from clearinghouse.core.formats.osv import Advisory, OSVFormatError, parse_osv_bytes
from clearinghouse.core.formats.sarif import SarifError, parse_sarif
from clearinghouse.core.scoring import ScoringError, parse_cvss
from clearinghouse.core.scoring.dedup import ProductRef
from clearinghouse.core.sectors import Sector, sector_named

# C0 controls except tab, newline and carriage return; DEL; the C1 controls.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_TITLE_CHARS = 500
_TEXT_CHARS = 100_000


class Format(StrEnum):
    """The formats intake accepts."""

    OSV = "osv"
    CSAF = "csaf"
    CVE5 = "cve5"
    SARIF = "sarif"
    NATIVE = "native"

    @property
    def label(self) -> str:
        """The format's usual name."""
        return _LABELS[self]


_LABELS = {
    Format.OSV: "OSV",
    Format.CSAF: "CSAF 2.0",
    Format.CVE5: "CVE JSON 5",
    Format.SARIF: "SARIF 2.1.0",
    Format.NATIVE: "Clearinghouse JSON",
}


class DocumentError(ValueError):
    """A document refused whole; `problems` are (location, message) pairs naming items."""

    def __init__(self, problems: Sequence[tuple[str, str]]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(f"{loc}: {msg}" for loc, msg in self.problems))


@dataclass(frozen=True)
class Item:
    """One vulnerability a document reports, in the shape every format reduces to."""

    index: int
    title: str
    description: str = ""
    aliases: tuple[str, ...] = ()
    cwe: str = ""
    products: tuple[ProductRef, ...] = ()
    cvss_vectors: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    exploitation: str = ""
    automatable: str = ""
    technical_impact: str = ""
    model: str = ""
    assessment: str = ""
    raw: Any = None


@dataclass(frozen=True)
class Document:
    """A validated document: its format and its items."""

    format: Format
    items: tuple[Item, ...]


def clean(text: object, limit: int = _TEXT_CHARS) -> str:
    """Drop control characters (they corrupt logs and terminals) and cap the length."""
    return _CONTROL.sub("", str(text or ""))[:limit]


# --- the native form -------------------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class NativeProduct(_Strict):
    """An affected product: vendor, product and version, or a purl."""

    vendor: str = Field(default="", max_length=200)
    product: str = Field(default="", max_length=200)
    version: str = Field(default="", max_length=200)
    purl: str = Field(default="", max_length=1000)


class NativeReport(_Strict):
    """One vulnerability in the clearinghouse's own JSON form."""

    title: str = Field(min_length=1, max_length=_TITLE_CHARS)
    description: str = Field(default="", max_length=_TEXT_CHARS)
    aliases: list[str] = Field(default_factory=list, max_length=50)
    cwe: str = Field(default="", pattern=r"^(CWE-\d{1,6})?$")
    products: list[NativeProduct] = Field(default_factory=list, max_length=500)
    cvss_vectors: list[str] = Field(default_factory=list, max_length=10)
    sectors: list[Sector] = Field(default_factory=list)
    exploitation: Literal["None", "Public PoC", "Active"] | None = None
    automatable: Literal["No", "Yes"] | None = None
    technical_impact: Literal["Partial", "Total"] | None = None
    model: str = Field(default="", max_length=200, description="The AI model that found it.")
    assessment: str = Field(default="", max_length=500, description="The assessment reference.")

    @field_validator("cvss_vectors")
    @classmethod
    def _vectors_score(cls, vectors: list[str]) -> list[str]:
        for vector in vectors:
            try:
                parse_cvss(vector)
            except ScoringError as error:
                raise ValueError(str(error)) from None
        return vectors


class NativeSubmission(_Strict):
    """A native submission: `{"reports": [...]}`."""

    reports: list[NativeReport] = Field(min_length=1)


# --- decoding and detection ------------------------------------------------------------------


def _decode_json(data: bytes) -> Any:
    try:
        return json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise DocumentError([("document", f"not UTF-8 text: {error}")]) from None
    except RecursionError:
        raise DocumentError([("document", "nested too deeply")]) from None


def _refuse_yaml_aliases(data: bytes) -> None:
    # Aliases let a few hundred bytes expand into billions of nodes ("billion laughs"); OSV
    # records never need them.
    try:
        for event in yaml.parse(data, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise DocumentError([("document", "YAML anchors and aliases are not accepted")])
    except yaml.YAMLError as error:
        raise DocumentError([("document", f"not valid YAML: {error}")]) from None


def detect(document: Any) -> Format:
    """Tell a decoded JSON document's format from its own markers."""
    if isinstance(document, Mapping):
        if isinstance(document.get("document"), Mapping) and "csaf_version" in document["document"]:
            return Format.CSAF
        if document.get("dataType") == "CVE_RECORD":
            return Format.CVE5
        if "runs" in document and (
            "version" in document or "sarif" in str(document.get("$schema"))
        ):
            return Format.SARIF
        if "reports" in document:
            return Format.NATIVE
        if "id" in document and "modified" in document:
            return Format.OSV
    raise DocumentError(
        [
            (
                "document",
                "cannot tell the format: expected OSV, CSAF 2.0, CVE JSON 5, SARIF 2.1.0 "
                'or the native {"reports": [...]} form',
            )
        ]
    )


def read_document(
    data: bytes, *, filename: str = "", declared: Format | None = None, max_items: int = 5000
) -> Document:
    """Validate a submitted document against its format's schema and reduce it to items.

    JSON for every format; YAML for OSV only (a file named .yaml/.yml, or declared OSV).
    Raises `DocumentError` naming every problem found; nothing partial is returned.
    """
    is_yaml = filename.lower().endswith((".yaml", ".yml"))
    if not is_yaml:
        try:
            decoded = _decode_json(data)
        except json.JSONDecodeError as error:
            if declared != Format.OSV:
                raise DocumentError([("document", f"not valid JSON: {error}")]) from None
            is_yaml = True
    if is_yaml:
        if declared not in (None, Format.OSV):
            raise DocumentError([("document", "only OSV records are accepted as YAML")])
        _refuse_yaml_aliases(data)
        return Document(Format.OSV, (_osv_item(_osv_bytes(data, "document.yaml")),))
    format_ = declared or detect(decoded)
    reader = _READERS[format_]
    return Document(format_, tuple(reader(decoded, data, max_items)))


# --- one reader per format -------------------------------------------------------------------


def _osv_bytes(data: bytes, source: str) -> Advisory:
    try:
        return parse_osv_bytes(data, source=source, allow_short_commits=True)
    except OSVFormatError as error:
        raise DocumentError([("document", error.reason)]) from None


def _osv_item(advisory: Advisory) -> Item:
    raw = advisory.raw
    vectors = tuple(
        str(entry.get("score", ""))
        for entry in raw.get("severity") or []
        if str(entry.get("type", "")).startswith("CVSS")
    )
    cwes = (raw.get("database_specific") or {}).get("cwe_ids") or []
    products = tuple(
        ProductRef(
            vendor=affected.package.ecosystem,
            product=affected.package.name,
            purl=affected.package.purl or "",
        )
        for affected in advisory.affected
        if affected.package is not None
    )
    return Item(
        index=0,
        title=clean(advisory.summary or advisory.id, _TITLE_CHARS),
        description=clean(advisory.details),
        aliases=tuple(dict.fromkeys((advisory.id, *advisory.aliases))),
        cwe=clean(cwes[0] if cwes and isinstance(cwes[0], str) else "", 20),
        products=products,
        cvss_vectors=vectors,
        raw=dict(raw),
    )


def _osv(decoded: Any, data: bytes, max_items: int) -> list[Item]:
    return [_osv_item(_osv_bytes(data, "document.json"))]


def _too_many(count: int, max_items: int, what: str) -> None:
    if count > max_items:
        raise DocumentError(
            [(what, f"{count:,} items; at most {max_items:,} are accepted in one document")]
        )


def _sectors(labels: Sequence[str]) -> tuple[str, ...]:
    found = []
    for label in labels:
        try:
            found.append(sector_named(label).value)
        except KeyError:
            continue
    return tuple(dict.fromkeys(found))


def _csaf(decoded: Any, data: bytes, max_items: int) -> list[Item]:
    vulnerabilities = decoded.get("vulnerabilities")
    if isinstance(vulnerabilities, list):
        _too_many(len(vulnerabilities), max_items, "vulnerabilities")
    try:
        advisory = parse_csaf(decoded, source="document")
    except CsafError as error:
        return _refuse_problems(error.problems)
    items = []
    for item in advisory.items:
        items.append(
            Item(
                index=item.index,
                title=clean(_csaf_title(item, advisory.context.title), _TITLE_CHARS),
                description=clean(item.description),
                aliases=tuple(
                    dict.fromkeys(a for a in (item.cve, *(i.text for i in item.ids)) if a)
                ),
                cwe=clean(item.cwe_id, 20),
                products=tuple(
                    ProductRef(
                        vendor=clean(p.vendor, 200),
                        product=clean(p.product_name or p.name, 200),
                        version=clean(p.version or p.version_range, 200),
                        purl=p.purl,
                    )
                    for p in item.affected_products
                ),
                cvss_vectors=tuple(score.vector for score in item.scores),
                sectors=_sectors(item.advisory.sectors),
                raw=vulnerabilities[item.index],
            )
        )
    if not items:
        raise DocumentError([("vulnerabilities", "the advisory lists no vulnerability")])
    return items


def _csaf_title(item: Any, document_title: str) -> str:
    # CISA titles each vulnerability with its CVE id alone: the weakness says more.
    title = str(item.title or "")
    if item.cwe_name and (not title or title == item.cve):
        return f"{item.cwe_name} ({title})" if title else str(item.cwe_name)
    return title or document_title


def _refuse_problems(problems: Sequence[str]) -> list[Item]:
    located = []
    for problem in problems[:20]:
        where, _, message = problem.partition(": ")
        # CSAF names places as JSONPath ($.vulnerabilities[2].cve), CVE as pointers (a/0/b).
        parts = [part for part in re.split(r"[./\[\]]+", where.strip().lstrip("$")) if part]
        located.append(("/".join(parts) or "document", message or problem))
    raise DocumentError(located)


_SSVC_NAMES = {
    "exploitation": {"none": "None", "poc": "Public PoC", "public poc": "Public PoC"}
    | {"active": "Active"},
    "automatable": {"yes": "Yes", "no": "No"},
    "technical impact": {"partial": "Partial", "total": "Total"},
}


def _cve5(decoded: Any, data: bytes, max_items: int) -> list[Item]:
    try:
        record = parse_cve5(decoded)
    except Cve5Error as error:
        return _refuse_problems(error.problems)
    ssvc = {key.casefold(): value.casefold() for key, value in record.ssvc_options.items()}
    hints = {point: _SSVC_NAMES[point].get(ssvc.get(point, ""), "") for point in _SSVC_NAMES}
    products = tuple(
        ProductRef(
            vendor=clean(entry.vendor, 200),
            product=clean(entry.package_name or entry.product, 200),
            version=clean(version, 200),
        )
        for entry in record.affected
        for version in (entry.versions or ("",))
    )
    return [
        Item(
            index=0,
            title=clean(record.title or record.description.split("\n", 1)[0], _TITLE_CHARS),
            description=clean(record.description),
            aliases=(record.cve_id,),
            cwe=clean(record.cwe_ids[0] if record.cwe_ids else "", 20),
            products=products,
            cvss_vectors=record.cvss_vectors,
            exploitation=hints["exploitation"],
            automatable=hints["automatable"],
            technical_impact=hints["technical impact"],
            raw=dict(decoded),
        )
    ]


def _sarif(decoded: Any, data: bytes, max_items: int) -> list[Item]:
    runs = decoded.get("runs") if isinstance(decoded, Mapping) else None
    if isinstance(runs, list):
        count = sum(len(r.get("results") or []) for r in runs if isinstance(r, Mapping))
        _too_many(count, max_items, "runs")
    try:
        findings = parse_sarif(decoded)
    except SarifError as error:
        return _refuse_problems(error.problems)
    if not findings:
        raise DocumentError([("runs", "the log has no results")])
    items = []
    for number, finding in enumerate(findings):
        where = "\n".join(finding.locations)
        description = finding.message + (f"\n\nLocations:\n{where}" if where else "")
        product = finding.repository or (finding.locations[0].split(":")[0] if where else "")
        items.append(
            Item(
                index=number,
                title=clean(finding.title, _TITLE_CHARS),
                description=clean(description),
                cwe=finding.cwe,
                products=(
                    ProductRef(vendor=clean(finding.tool, 200), product=clean(product, 200)),
                ),
                raw=dict(finding.raw),
            )
        )
    return items


def _native(decoded: Any, data: bytes, max_items: int) -> list[Item]:
    if isinstance(decoded, Mapping) and isinstance(decoded.get("reports"), list):
        _too_many(len(decoded["reports"]), max_items, "reports")
    try:
        submission = NativeSubmission.model_validate(decoded)
    except ValidationError as error:
        raise DocumentError(
            [
                (
                    "/".join(str(part) for part in item["loc"]) or "document",
                    item["msg"].removeprefix("Value error, "),
                )
                for item in error.errors()[:20]
            ]
        ) from None
    return [
        Item(
            index=number,
            title=clean(report.title, _TITLE_CHARS),
            description=clean(report.description),
            aliases=tuple(dict.fromkeys(clean(alias, 100) for alias in report.aliases if alias)),
            cwe=report.cwe,
            products=tuple(
                ProductRef(
                    vendor=clean(p.vendor),
                    product=clean(p.product),
                    version=clean(p.version),
                    purl=p.purl,
                )
                for p in report.products
            ),
            cvss_vectors=tuple(report.cvss_vectors),
            sectors=tuple(sector.value for sector in report.sectors),
            exploitation=report.exploitation or "",
            automatable=report.automatable or "",
            technical_impact=report.technical_impact or "",
            model=clean(report.model, 200),
            assessment=clean(report.assessment, 500),
            raw=decoded["reports"][number],
        )
        for number, report in enumerate(submission.reports)
    ]


_READERS = {
    Format.OSV: _osv,
    Format.CSAF: _csaf,
    Format.CVE5: _cve5,
    Format.SARIF: _sarif,
    Format.NATIVE: _native,
}
