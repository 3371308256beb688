"""Operator scanning: SBOM assets, their components, findings against advisories, re-matching."""
