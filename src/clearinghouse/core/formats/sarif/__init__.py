"""SARIF 2.1.0 logs from scanners and models: checked structurally, one finding per result."""

from ._reader import SarifError, SarifFinding, parse_sarif

__all__ = ["SarifError", "SarifFinding", "parse_sarif"]
