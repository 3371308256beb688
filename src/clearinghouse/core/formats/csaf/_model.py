"""The normalised shape of a CSAF advisory: one item per entry of `vulnerabilities[]`."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ProductStatus(StrEnum):
    """The CSAF 2.0 product status buckets (`/vulnerabilities[]/product_status`)."""

    FIRST_AFFECTED = "first_affected"
    FIRST_FIXED = "first_fixed"
    FIXED = "fixed"
    KNOWN_AFFECTED = "known_affected"
    KNOWN_NOT_AFFECTED = "known_not_affected"
    LAST_AFFECTED = "last_affected"
    RECOMMENDED = "recommended"
    UNDER_INVESTIGATION = "under_investigation"

    @property
    def is_affected(self) -> bool:
        """Whether the product is (or was) vulnerable: what matching and dedup care about."""
        return self in _AFFECTED


_AFFECTED = frozenset(
    {ProductStatus.FIRST_AFFECTED, ProductStatus.KNOWN_AFFECTED, ProductStatus.LAST_AFFECTED}
)


@dataclass(frozen=True)
class Product:
    """A product defined in the `product_tree`, with the branch path that names it."""

    product_id: str
    name: str
    vendor: str = ""
    product_name: str = ""
    version: str = ""
    version_range: str = ""
    purl: str = ""
    cpe: str = ""


@dataclass(frozen=True)
class AffectedProduct:
    """A product a vulnerability speaks about, and what it says (affected, fixed, ...)."""

    product: Product
    status: ProductStatus


@dataclass(frozen=True)
class Note:
    """A free-text note; CSAF keeps descriptions, summaries and details in notes."""

    category: str
    text: str
    title: str = ""


@dataclass(frozen=True)
class VulnerabilityId:
    """A non-CVE identifier of the vulnerability (`ids[]`), e.g. a vendor's or a GHSA id."""

    system_name: str
    text: str


@dataclass(frozen=True)
class CvssScore:
    """A CVSS v2 or v3 score: the vector is the source of truth, the base score as published."""

    version: str
    vector: str
    base_score: float
    product_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Remediation:
    """What to do about the vulnerability for the given products."""

    category: str
    details: str
    url: str = ""
    product_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class AdvisoryContext:
    """The document-level facts every item of one advisory shares."""

    source: str
    tracking_id: str
    title: str
    publisher: str
    sectors_note: str = ""
    sectors: tuple[str, ...] = ()


@dataclass(frozen=True)
class VulnerabilityItem:
    """One vulnerability of a CSAF advisory, with its products resolved through the product tree."""

    advisory: AdvisoryContext
    index: int
    title: str = ""
    cve: str = ""
    ids: tuple[VulnerabilityId, ...] = ()
    cwe_id: str = ""
    cwe_name: str = ""
    notes: tuple[Note, ...] = ()
    scores: tuple[CvssScore, ...] = ()
    products: tuple[AffectedProduct, ...] = ()
    remediations: tuple[Remediation, ...] = ()

    @property
    def description(self) -> str:
        """The notes' text joined: CSAF has no single description field."""
        return "\n\n".join(note.text for note in self.notes)

    @property
    def affected_products(self) -> tuple[Product, ...]:
        """The products this vulnerability affects (or affected), in document order."""
        return tuple(entry.product for entry in self.products if entry.status.is_affected)


@dataclass(frozen=True)
class CsafAdvisory:
    """A read CSAF document: its context and one item per vulnerability."""

    context: AdvisoryContext
    items: tuple[VulnerabilityItem, ...]
