"""Checks for URLs the platform will call on someone's behalf (model endpoints, webhooks)."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses, where plain http is acceptable."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_outbound_url(value: str) -> str:
    """Return the URL without a trailing slash, or raise ValueError saying what is wrong.

    https with a host, no credentials in the URL; plain http only for loopback (local
    testing); no literal private, link-local or reserved addresses, so a tenant cannot point
    the server at the internal network by IP. (Host names are not resolved here.)
    """
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ValueError("must be an http(s) URL with a host, e.g. https://api.example.org/v1")
    if parts.username or parts.password:
        raise ValueError("must not carry credentials; they go in their own field")
    host = parts.hostname
    if parts.scheme == "http" and not is_loopback(host):
        raise ValueError("must use https (plain http only for localhost)")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return value.rstrip("/")
    if not address.is_loopback and (
        address.is_private or address.is_link_local or address.is_reserved or address.is_multicast
    ):
        raise ValueError(f"must not point at the private or reserved address {address}")
    return value.rstrip("/")
