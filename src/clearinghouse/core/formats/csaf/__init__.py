"""CSAF 2.0 advisories: read, check (schema and mandatory tests), split into vulnerability items."""

from ._mandatory import MandatoryTestFailure, mandatory_test_failures
from ._model import (
    AdvisoryContext,
    AffectedProduct,
    CsafAdvisory,
    CvssScore,
    Note,
    Product,
    ProductStatus,
    Remediation,
    VulnerabilityId,
    VulnerabilityItem,
)
from ._reader import MAX_DOCUMENT_BYTES, CsafError, load_csaf_json, parse_csaf, read_csaf
from ._schema import schema_errors, schema_problems
from ._sectors import CISA_SECTORS, sectors_from_text

__all__ = [
    "CISA_SECTORS",
    "MAX_DOCUMENT_BYTES",
    "AdvisoryContext",
    "AffectedProduct",
    "CsafAdvisory",
    "CsafError",
    "CvssScore",
    "MandatoryTestFailure",
    "Note",
    "Product",
    "ProductStatus",
    "Remediation",
    "VulnerabilityId",
    "VulnerabilityItem",
    "load_csaf_json",
    "mandatory_test_failures",
    "parse_csaf",
    "read_csaf",
    "schema_errors",
    "schema_problems",
    "sectors_from_text",
]
