"""Who is on the other end of a request, for throttling failed sign-ins per address."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str | None:
    """The client's IP address.

    Behind the trusted TLS proxy every request comes from the proxy, so one lockout would
    lock everybody out; the proxy appends the real client to X-Forwarded-For, and its entry
    is the last one (earlier entries are whatever the client sent, so never trusted).
    """
    if settings.CLEARINGHOUSE_TRUSTED_PROXY:
        forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", "")).rsplit(",", 1)[-1].strip()
        if forwarded:
            return forwarded
    address = request.META.get("REMOTE_ADDR")
    return str(address) if address else None
