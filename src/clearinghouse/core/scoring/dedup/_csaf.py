"""Builds dedup reports from CSAF vulnerability items, and strips their identifiers."""

from __future__ import annotations

import dataclasses
import re

from clearinghouse.core.formats.csaf import VulnerabilityItem

from ._report import ProductRef, Report

# Identifiers that give a duplicate away: CVE, GHSA, PYSEC, ZDI, and the vendor/coordinator
# style "ABC-2020-315-01" (advisory and case numbers quoted in prose).
_IDENTIFIER = re.compile(
    r"\b(?:CVE-\d{4}-\d{4,}|GHSA(?:-[0-9a-z]{4}){3}|ZDI-CAN-\d+"
    r"|[A-Z][A-Z0-9]*(?:-[A-Z]+)*-\d{2,4}-\d+(?:-\d+)*)\b",
    re.IGNORECASE,
)


# CISA's template sentence announcing the CVE names it even once the id itself is removed.
_ASSIGNED = re.compile(
    r"has been assigned to (?:this|these) vulnerabilit(?:y|ies)\.?", re.IGNORECASE
)


def report_from_csaf(item: VulnerabilityItem) -> Report:
    """Reduce a CSAF vulnerability item to a dedup report of its affected products."""
    advisory = item.advisory
    return Report(
        report_id=f"{advisory.tracking_id or advisory.source}/{item.index}",
        title=item.title,
        description=item.description,
        aliases=frozenset(alias for alias in (item.cve, *(i.text for i in item.ids)) if alias),
        products=tuple(
            ProductRef(
                vendor=product.vendor,
                product=product.product_name or product.name,
                version=product.version or product.version_range,
                purl=product.purl,
            )
            for product in item.affected_products
        ),
        cwe=item.cwe_id,
        cvss_vectors=tuple(score.vector for score in item.scores),
        source=advisory.source,
    )


def scrub_identifiers(text: str) -> str:
    """Text with every identifier (CVE, GHSA, ZDI, advisory and case numbers) and CISA's
    sentence announcing them removed: how prose reads before anyone assigned an id."""
    return _ASSIGNED.sub(" ", _IDENTIFIER.sub(" ", text)).strip()


def strip_identifiers(report: Report) -> Report:
    """Remove every identifier from a report, aliases and ids quoted in its text or products.

    This is how a report looks before anyone assigned it a CVE (an AI-found bug, a fresh
    submission); benchmarks use it to hide the answer from dedup.
    """

    def scrub(text: str) -> str:
        for alias in report.aliases:
            text = text.replace(alias, " ")
        return scrub_identifiers(text)

    # Product fields quote ids too: Siemens versions read "13.1.0 (Only affected by CVE-...)".
    return dataclasses.replace(
        report,
        aliases=frozenset(),
        title=scrub(report.title),
        description=scrub(report.description),
        products=tuple(
            dataclasses.replace(
                product,
                vendor=scrub(product.vendor),
                product=scrub(product.product),
                version=scrub(product.version),
            )
            for product in report.products
        ),
    )
