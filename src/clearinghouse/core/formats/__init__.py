"""Readers and writers for the advisory, SBOM and finding formats the field exchanges."""
