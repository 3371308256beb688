"""HTTP requests the server makes to URLs a tenant chose (webhooks), safe against SSRF.

`check_outbound_url` refuses private address literals when a URL is saved, but a host name
can resolve to an internal address, or change what it resolves to afterwards (DNS
rebinding). So at send time the host is resolved here, every address is vetted, and the
connection goes to the vetted address itself — TLS still verifies the certificate for the
host name. Redirects are not followed: a 3xx is a failed delivery, never a second request
to wherever it points.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import urllib.request
from typing import Any

from clearinghouse.core.urls import is_loopback

__all__ = ["UnsafeAddress", "open_vetted", "vetted_address"]


class UnsafeAddress(OSError):
    """The host resolves to an address the server must not call."""


def _unmapped(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> Any:
    # ::ffff:10.0.0.1 is 10.0.0.1 to the network stack: judge the IPv4 address.
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped if mapped is not None else address


def _refused(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if address.is_loopback:
        return False  # the server itself: allowed, as for literal loopback URLs (local testing)
    return not address.is_global or address.is_multicast


def vetted_address(host: str, port: int) -> str:
    """Resolve `host` and return an address to connect to, or raise `UnsafeAddress`.

    Every address the name resolves to must be public (or loopback): one internal address
    among public ones is enough to refuse, since which one a client picks is not ours.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise UnsafeAddress(f"{host} does not resolve: {error.strerror}") from None
    addresses = [_unmapped(ipaddress.ip_address(str(info[4][0]).split("%")[0])) for info in infos]
    for address in addresses:
        if _refused(address):
            raise UnsafeAddress(f"{host} resolves to the non-public address {address}")
    if not addresses:
        raise UnsafeAddress(f"{host} does not resolve")
    if any(a.is_loopback for a in addresses) and not is_loopback(host):
        # A public name pointing at the server itself is a rebinding trick, not local testing.
        raise UnsafeAddress(f"{host} resolves to a loopback address")
    return str(addresses[0])


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def connect(self) -> None:
        address = vetted_address(self.host, self.port)
        self.sock = socket.create_connection((address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def connect(self) -> None:
        address = vetted_address(self.host, self.port)
        sock = socket.create_connection((address, self.port), self.timeout)
        context = self._context  # type: ignore[attr-defined]  # set by HTTPSConnection
        self.sock = context.wrap_socket(sock, server_hostname=self.host)


class _PinnedHTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req: urllib.request.Request) -> Any:
        return self.do_open(_PinnedHTTPConnection, req)


class _PinnedHTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req: urllib.request.Request) -> Any:
        return self.do_open(_PinnedHTTPSConnection, req, context=self._context)  # type: ignore[attr-defined]


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # urllib then raises HTTPError for the 3xx


def _opener() -> urllib.request.OpenerDirector:
    # Built by hand, not with build_opener: only http(s) (no file:, ftp: or data: handlers),
    # no proxy from the environment (a proxy would be the pinned address), no redirects.
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.UnknownHandler(),
        _PinnedHTTPHandler(),
        _PinnedHTTPSHandler(),
        urllib.request.HTTPDefaultErrorHandler(),
        _NoRedirects(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    return opener


_OPENER = _opener()


def open_vetted(request: urllib.request.Request, timeout: float) -> Any:
    """`urlopen` for http(s) only, with vetted, pinned addresses, no redirects and no proxy."""
    return _OPENER.open(request, timeout=timeout)
