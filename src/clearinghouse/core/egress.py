"""Requests the server makes to URLs a tenant chose (webhooks, model endpoints, later TAXII and
CVE Services): one rule for which addresses may be called, and one HTTP client that keeps it.

The rule refuses every address that is not public — loopback, link-local (the cloud metadata
service at 169.254.169.254), private, shared, reserved, multicast, unspecified — in every
spelling: IPv4-mapped IPv6 (``[::ffff:127.0.0.1]``) is judged as the IPv4 address it maps,
and decimal, octal or hex IPv4 forms (``http://2130706433/``, ``0177.0.0.1``) are read as the
address the resolver would make of them. An operator names the internal hosts the server may
call (a receiver on the same network, a local model server) in ``CLEARINGHOUSE_OUTBOUND_ALLOW``
(`Allowlist.parse`).

A name is checked twice: `check_url` refuses an internal literal (or ``localhost``) when a URL
is registered, and the client resolves the name each time it connects, refuses it when *any*
address it resolves to is refused, and connects to the address it checked (pinned, so a DNS
answer that changes between the check and the connection cannot swap it). Each request goes
through the transport, so every redirect hop is checked the same way, and the client itself
follows none. `Refused` carries the detail (which address, which rule) for logs and admins;
`PUBLIC_REFUSED` and `PUBLIC_UNREACHABLE` are what a tenant is shown, revealing no network
detail.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import anyio.to_thread
import httpx2

__all__ = [
    "PUBLIC_REFUSED",
    "PUBLIC_UNREACHABLE",
    "Allowlist",
    "Refused",
    "async_transport",
    "check_url",
    "client",
    "describe_failure",
    "refusal",
    "vet",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

PUBLIC_REFUSED = "refused by the outbound policy"
PUBLIC_UNREACHABLE = "the endpoint could not be reached"
_DEFAULT_PORTS = {"http": 80, "https": 443}
_LOCAL_NAMES = ("localhost", "localhost.localdomain")


class Refused(OSError):
    """The outbound policy refuses this destination; the message is for logs and admins."""


@dataclass(frozen=True)
class _Entry:
    host: str | None  # a name, lower-case, or None for an address entry
    network: Network | None
    port: int | None  # None: any port

    def allows_port(self, port: int) -> bool:
        return self.port is None or self.port == port


@dataclass(frozen=True)
class Allowlist:
    """Internal destinations the operator lets the server call (``CLEARINGHOUSE_OUTBOUND_ALLOW``).

    Empty by default: nothing internal is reachable.
    """

    entries: tuple[_Entry, ...] = ()

    @classmethod
    def parse(cls, text: str) -> Allowlist:
        """Comma-separated entries, each ``HOST[:PORT]``: a host name (allowed wherever it
        resolves), an address, a CIDR network, or ``[IPv6]``; without a port, any port.

        e.g. ``models.internal:8443, 10.20.0.0/16, 127.0.0.1:9000, [::1]``. Raises ValueError
        naming the entry that cannot be read.
        """
        entries = []
        for raw in text.split(","):
            item = raw.strip()
            if item:
                entries.append(_entry(item))
        return cls(tuple(entries))

    def allows_name(self, host: str, port: int) -> bool:
        """The operator named this host (and port): call it wherever it resolves."""
        name = host.lower().rstrip(".")
        return any(e.host == name and e.allows_port(port) for e in self.entries)

    def allows_address(self, address: IPAddress, port: int) -> bool:
        """The address is inside a network (or is an address) the operator named."""
        address = _unmapped(address)
        return any(
            e.network is not None
            and address.version == e.network.version
            and address in e.network
            and e.allows_port(port)
            for e in self.entries
        )


def _entry(item: str) -> _Entry:
    host, port = item, None
    if item.startswith("["):  # [v6] or [v6]:port
        inside, _, rest = item[1:].partition("]")
        host = inside
        if rest:
            if not rest.startswith(":"):
                raise ValueError(f"outbound allow-list entry {item!r}: expected [IPv6]:PORT")
            port = _port(item, rest[1:])
    elif item.count(":") == 1:
        host, _, number = item.partition(":")
        port = _port(item, number)
    try:
        return _Entry(host=None, network=ipaddress.ip_network(host, strict=False), port=port)
    except ValueError:
        if "/" in host:  # meant as a network: say what is wrong with it (a prefix over 32)
            raise ValueError(
                f"outbound allow-list entry {item!r}: not a network "
                "(an address and a prefix length, e.g. 10.20.0.0/16)"
            ) from None
    name = host.lower().removesuffix(".")
    if not _is_host_name(name):
        raise ValueError(f"outbound allow-list entry {item!r}: not a host, address or network")
    return _Entry(host=name, network=None, port=port)


def _is_host_name(name: str) -> bool:
    """Dot-separated labels of letters, digits, '-' and '_' (container service names), none
    starting or ending with '-', the last not all digits: so a mistyped address such as
    ``10.0.0.300`` is refused rather than allowed as a name that never resolves."""
    labels = name.split(".")
    return (
        0 < len(name) <= 253
        and all(
            0 < len(label) <= 63
            and label.replace("-", "").replace("_", "").isascii()
            and label.replace("-", "").replace("_", "").isalnum()
            and not label.startswith("-")
            and not label.endswith("-")
            for label in labels
        )
        and not labels[-1].isdigit()
    )


def _port(item: str, number: str) -> int:
    if not number.isdigit() or not 0 < int(number) < 65536:
        raise ValueError(f"outbound allow-list entry {item!r}: the port must be 1-65535")
    return int(number)


def _unmapped(address: IPAddress) -> IPAddress:
    # ::ffff:10.0.0.1 is 10.0.0.1 to the network stack: judge the IPv4 address.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def refusal(address: IPAddress) -> str | None:
    """Why the server must not call this address (a short name of the rule), or None."""
    address = _unmapped(address)
    if isinstance(address, ipaddress.IPv6Address) and address.sixtofour is not None:
        # 2002:7f00:1:: is 6to4 for 127.0.0.1: judged by the IPv4 address it carries too
        embedded = refusal(address.sixtofour)
        if embedded is not None:
            return embedded
    for reason, applies in (
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("reserved", address.is_reserved),
        ("private", address.is_private),
    ):
        if applies:
            return reason
    return None if address.is_global else "non-public"


def literal_address(host: str) -> IPAddress | None:
    """The address a host written as an IP means, in any form the resolver accepts, or None.

    ``2130706433``, ``0177.0.0.1``, ``0x7f.1`` and ``127.1`` are all 127.0.0.1 to inet_aton
    (and so to the system resolver an HTTP client calls).
    """
    try:
        return ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        pass
    if host and all(c in "0123456789abcdefxABCDEFX." for c in host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def _is_local_name(host: str) -> bool:
    name = host.lower().rstrip(".")
    return name in _LOCAL_NAMES or name.endswith(".localhost")


def check_url(value: str, allow: Allowlist) -> str:
    """Return the URL without a trailing slash, or raise ValueError saying what is wrong.

    For registration forms (webhooks, access grants): https with a host and no credentials;
    no internal address literal and no ``localhost``, unless the allow-list names it (and then
    plain http is accepted too, for a receiver inside the network). Host names are resolved
    only when the server connects (`vet`).
    """
    parts = urlsplit(value)
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise ValueError("must be an http(s) URL with a host, e.g. https://api.example.org/v1")
    if parts.username or parts.password:
        raise ValueError("must not carry credentials; they go in their own field")
    try:
        port = parts.port or _DEFAULT_PORTS[parts.scheme]
    except ValueError:
        raise ValueError("has a port that is not a number from 1 to 65535") from None
    host = parts.hostname
    address = literal_address(host)
    allowed = allow.allows_name(host, port) or (
        address is not None and allow.allows_address(address, port)
    )
    if not allowed:
        internal = _is_local_name(host) or (address is not None and refusal(address) is not None)
        if internal:
            raise ValueError(
                "must not point at the server itself or an internal network address "
                "(the operator can allow one with CLEARINGHOUSE_OUTBOUND_ALLOW)"
            )
        if parts.scheme == "http":
            raise ValueError("must use https")
    return value.rstrip("/")


def _resolve(host: str, port: int) -> list[IPAddress]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise Refused(f"{host} does not resolve: {error}") from None
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    if not addresses:
        raise Refused(f"{host} does not resolve")
    return addresses


def vet(host: str, port: int, allow: Allowlist) -> str:
    """Resolve `host` and return the address to connect to, or raise `Refused`.

    Every address the name resolves to must pass (or be allow-listed): one internal address
    among public ones is enough to refuse, since which one a client would pick is not ours.
    """
    addresses = _resolve(host, port)
    if not allow.allows_name(host, port):
        for address in addresses:
            reason = refusal(address)
            if reason is not None and not allow.allows_address(address, port):
                shown = _unmapped(address)  # ::ffff:a00:1 reads as 10.0.0.1
                raise Refused(f"{host}:{port} resolves to the {reason} address {shown}")
    return str(addresses[0])


def _pinned(request: httpx2.Request, address: str) -> None:
    # Connect to the checked address; the Host header (set when the request was built) and
    # TLS (SNI and certificate check) keep the name.
    request.extensions = {**request.extensions, "sni_hostname": request.url.host}
    request.url = request.url.copy_with(host=address)


def _destination(url: httpx2.URL) -> tuple[str, int]:
    if url.scheme not in _DEFAULT_PORTS:
        raise Refused(f"only http and https are sent, not {url.scheme}:")
    return url.host, url.port or _DEFAULT_PORTS[url.scheme]


class _PinnedTransport(httpx2.HTTPTransport):
    """Checks each request's destination with `vet` and connects to the checked address."""

    def __init__(self, allow: Allowlist, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._allow = allow

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        """Vet, pin, send."""
        _pinned(request, vet(*_destination(request.url), self._allow))
        return super().handle_request(request)


class _AsyncPinnedTransport(httpx2.AsyncHTTPTransport):
    """`_PinnedTransport` for async clients (the model endpoint's OpenAI client)."""

    def __init__(self, allow: Allowlist, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._allow = allow

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        """Vet (resolving in a worker thread), pin, send."""
        host, port = _destination(request.url)
        address = await anyio.to_thread.run_sync(vet, host, port, self._allow)
        _pinned(request, address)
        return await super().handle_async_request(request)


def client(allow: Allowlist, timeout: float) -> httpx2.Client:
    """An HTTP client for tenant-chosen URLs: vetted, pinned, no redirects, no proxy from the
    environment (a proxy would be the address connected to, and it is not vetted)."""
    return httpx2.Client(
        transport=_PinnedTransport(allow), follow_redirects=False, trust_env=False, timeout=timeout
    )


def async_transport(allow: Allowlist) -> httpx2.AsyncBaseTransport:
    """The vetting, pinning transport for an async client a library builds (e.g. the OpenAI
    SDK's); any redirect it follows comes back through the transport and is vetted again."""
    return _AsyncPinnedTransport(allow)


def describe_failure(error: BaseException) -> tuple[str, str]:
    """(what a tenant is shown, the detail for admins and logs) for a failed outbound call."""
    detail = f"{type(error).__name__}: {error}"[:2000]
    if isinstance(error, Refused):
        return PUBLIC_REFUSED, detail
    if isinstance(error, httpx2.HTTPStatusError):
        return f"the endpoint answered HTTP {error.response.status_code}", detail
    return PUBLIC_UNREACHABLE, detail
