"""The clearinghouse's own JSON form, `{"reports": [...]}`: what labs and researchers send."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from clearinghouse.core.formats import Problem
from clearinghouse.core.scoring import ScoringError, parse_cvss
from clearinghouse.core.scoring.dedup import ProductRef
from clearinghouse.core.sectors import Sector

from ._base import TEXT_CHARS, TITLE_CHARS, Item, Source, check_count, clean
from ._errors import DocumentError, item_in
from ._registry import register


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

    title: str = Field(min_length=1, max_length=TITLE_CHARS)
    description: str = Field(default="", max_length=TEXT_CHARS)
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


@register
class NativeReader:
    """Native JSON: every field checked by `NativeReport`, control characters dropped."""

    name = "native"
    label = "Clearinghouse JSON"
    yaml = False
    distinct_items = False

    def recognises(self, tree: Any) -> bool:
        """The `reports` list."""
        return isinstance(tree, Mapping) and "reports" in tree

    def read(self, source: Source) -> list[Item]:
        """Validate every report, then one item each."""
        tree = source.tree
        if isinstance(tree, Mapping) and isinstance(tree.get("reports"), list):
            check_count(len(tree["reports"]), source.max_items, "reports")
        try:
            submission = NativeSubmission.model_validate(tree)
        except ValidationError as error:
            raise DocumentError.located(
                (
                    Problem(tuple(item["loc"]), item["msg"].removeprefix("Value error, "))
                    for item in error.errors()[:20]
                ),
                item_in("reports"),
            ) from None
        return [
            _item(number, report, tree["reports"][number])
            for number, report in enumerate(submission.reports)
        ]


def _item(number: int, report: NativeReport, raw: Any) -> Item:
    return Item(
        index=number,
        title=clean(report.title, TITLE_CHARS),
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
        raw=raw,
    )
