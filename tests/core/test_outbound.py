"""Outbound calls resolve and vet the host at send time, pin the address and never redirect."""

from __future__ import annotations

import socket
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from clearinghouse.core.outbound import UnsafeAddress, open_vetted, vetted_address


def resolving_to(monkeypatch: pytest.MonkeyPatch, *addresses: str) -> None:
    """Make every name resolve to `addresses` (the system resolver, not our code, is faked)."""

    def fake(host: str, port: int, *args: object, **kwargs: object) -> list[tuple]:
        family = {4: socket.AF_INET, 6: socket.AF_INET6}
        return [
            (family[6 if ":" in a else 4], socket.SOCK_STREAM, 6, "", (a, port)) for a in addresses
        ]

    monkeypatch.setattr(socket, "getaddrinfo", fake)


@pytest.mark.parametrize(
    "address",
    ["10.0.0.5", "192.168.1.1", "169.254.169.254", "100.64.0.1", "::ffff:10.0.0.1", "fd00::1"],
)
def test_a_name_resolving_to_an_internal_address_is_refused(monkeypatch, address):
    resolving_to(monkeypatch, address)
    with pytest.raises(UnsafeAddress, match="non-public address"):
        vetted_address("hooks.example.org", 443)


def test_one_internal_address_among_public_ones_is_enough_to_refuse(monkeypatch):
    resolving_to(monkeypatch, "93.184.215.14", "10.1.2.3")
    with pytest.raises(UnsafeAddress, match=r"10\.1\.2\.3"):
        vetted_address("hooks.example.org", 443)


def test_a_public_name_pointing_at_the_server_itself_is_refused(monkeypatch):
    resolving_to(monkeypatch, "127.0.0.1")
    with pytest.raises(UnsafeAddress, match="loopback"):
        vetted_address("rebind.example.org", 443)


def test_public_addresses_and_local_testing_pass(monkeypatch):
    assert vetted_address("127.0.0.1", 80) == "127.0.0.1"
    resolving_to(monkeypatch, "93.184.215.14")
    assert vetted_address("hooks.example.org", 443) == "93.184.215.14"


def test_an_unresolvable_name_is_refused_with_the_reason():
    with pytest.raises(UnsafeAddress, match="does not resolve"):
        vetted_address("no-such-host.invalid", 443)


class Redirecting(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_POST(self) -> None:
        Redirecting.hits.append(self.path)
        self.send_response(307)
        self.send_header("Location", "/elsewhere")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture
def redirecting() -> Iterator[str]:
    Redirecting.hits = []
    server = HTTPServer(("127.0.0.1", 0), Redirecting)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/hook"
    server.shutdown()


def test_a_redirect_is_a_failure_and_is_not_followed(redirecting):
    request = urllib.request.Request(redirecting, data=b"{}", method="POST")  # noqa: S310
    with pytest.raises(urllib.error.HTTPError) as raised:
        open_vetted(request, timeout=5)
    assert raised.value.code == 307
    assert Redirecting.hits == ["/hook"]


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/x", "data:,hello"])
def test_only_http_and_https_are_opened(url):
    with pytest.raises(urllib.error.URLError, match="unknown url type"):
        open_vetted(urllib.request.Request(url), timeout=5)  # noqa: S310
