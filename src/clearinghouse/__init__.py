"""Clearinghouse: frontier model review and a cybersecurity clearinghouse in one platform."""

__version__ = "0.1.0"
