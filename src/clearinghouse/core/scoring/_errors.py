"""One error type for every scoring input the clearinghouse rejects, so callers catch one thing."""

from __future__ import annotations


class ScoringError(ValueError):
    """A CVSS vector, SSVC table or value, KEV catalog or EPSS file that cannot be used, and why."""
