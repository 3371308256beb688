"""The outbound policy: internal addresses refused in every spelling, also via DNS and
redirects, unless the allow-list names them; the client connects only to what it checked."""

from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import httpx2
import pytest

from clearinghouse.core.egress import (
    PUBLIC_REFUSED,
    PUBLIC_UNREACHABLE,
    Allowlist,
    Refused,
    check_url,
    client,
    describe_failure,
    refusal,
    vet,
)

NONE = Allowlist()


def resolving_to(monkeypatch: pytest.MonkeyPatch, *addresses: str) -> None:
    """Make every name resolve to `addresses` (the system resolver, not our code, is faked)."""

    def fake(host: str, port: int, *args: object, **kwargs: object) -> list[tuple]:
        family = {4: socket.AF_INET, 6: socket.AF_INET6}
        return [
            (family[6 if ":" in a else 4], socket.SOCK_STREAM, 6, "", (a, port)) for a in addresses
        ]

    monkeypatch.setattr(socket, "getaddrinfo", fake)


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("fd00::1", "private"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("224.0.0.1", "multicast"),
        ("0.0.0.0", "unspecified"),  # noqa: S104  (an address judged, not bound)
        ("::", "unspecified"),
        ("240.0.0.1", "reserved"),
        ("100.64.0.1", "non-public"),
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:10.0.0.1", "private"),
        ("2002:7f00:1::", "loopback"),  # 6to4 carrying 127.0.0.1
        ("64:ff9b::7f00:1", "reserved"),  # NAT64
    ],
)
def test_internal_addresses_are_refused_naming_the_rule(address, reason):
    assert refusal(ipaddress.ip_address(address)) == reason


@pytest.mark.parametrize("address", ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"])
def test_public_addresses_pass(address):
    assert refusal(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/",
        "https://[::1]/",
        "https://10.0.0.5/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[::ffff:127.0.0.1]/",
        "http://2130706433/",  # 127.0.0.1 as one decimal number
        "http://0177.0.0.1/",  # octal
        "http://0x7f.1/",  # hex, short form
        "http://127.1/",
        "https://localhost:5432/",
        "https://api.localhost/",
        "https://0.0.0.0/",
    ],
)
def test_registration_refuses_internal_urls_in_every_spelling(url):
    with pytest.raises(ValueError, match="must not point at the server itself or an internal"):
        check_url(url, NONE)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://hooks.example.org/x", "https"),
        ("https://user:pw@hooks.example.org/", "credentials"),
        ("ftp://hooks.example.org/", r"http\(s\)"),
        ("https://hooks.example.org:99999/", "port"),
    ],
)
def test_registration_refuses_malformed_urls(url, message):
    with pytest.raises(ValueError, match=message):
        check_url(url, NONE)


def test_registration_accepts_a_public_https_url_and_an_allow_listed_internal_one():
    assert check_url("https://hooks.example.org/in/", NONE) == "https://hooks.example.org/in"
    allow = Allowlist.parse("relay.internal:8080, 10.20.0.0/16, [::1]:9000")
    assert check_url("http://relay.internal:8080/in", allow)
    assert check_url("http://10.20.3.4/in", allow)
    assert check_url("http://[::1]:9000/", allow)
    for refused in ("http://relay.internal:8081/", "https://10.21.0.1/", "http://[::1]:9001/"):
        with pytest.raises(ValueError):
            check_url(refused, allow)


@pytest.mark.parametrize(
    "text",
    [
        "bad host:80",
        "h:0",
        "h:http",
        "[::1]x",
        "a/b/c",
        "10.0.0.0/33",
        "10.0.0.300",  # not an address, and no host name ends in a number
        "10.0.0.1:80:90",
        "-models-.internal",
        "models..internal",
        "models.internal, not_a_host!",
    ],
)
def test_an_unreadable_allow_list_entry_is_refused_naming_it(text):
    with pytest.raises(ValueError, match="outbound allow-list entry"):
        Allowlist.parse(text)


def test_host_names_of_one_label_and_with_underscores_are_allowed():
    allow = Allowlist.parse("relay, model_server.internal:8000, Models.Internal.")
    assert allow.allows_name("relay", 443) and allow.allows_name("models.internal", 1)
    assert allow.allows_name("model_server.internal", 8000)


def test_a_name_resolving_to_loopback_is_refused_at_send_time():
    # the real resolver: localhost is the server itself
    with pytest.raises(Refused, match=r"loopback address 127\.0\.0\.1"):
        vet("localhost", 80, NONE)


@pytest.mark.parametrize(
    ("address", "shown"),
    [
        ("10.0.0.5", "10.0.0.5"),
        ("169.254.169.254", "169.254.169.254"),
        ("::ffff:10.0.0.1", "10.0.0.1"),
        ("fd00::1", "fd00::1"),
    ],
)
def test_a_name_resolving_to_an_internal_address_is_refused(monkeypatch, address, shown):
    resolving_to(monkeypatch, address)
    with pytest.raises(Refused, match=f"resolves to the .* address {shown}"):
        vet("hooks.example.org", 443, NONE)


def test_one_internal_address_among_public_ones_is_enough_to_refuse(monkeypatch):
    resolving_to(monkeypatch, "93.184.215.14", "10.1.2.3")
    with pytest.raises(Refused, match=r"10\.1\.2\.3"):
        vet("hooks.example.org", 443, NONE)


def test_the_allow_list_lets_a_named_host_or_network_through_on_its_port(monkeypatch):
    resolving_to(monkeypatch, "10.9.8.7")
    assert vet("models.internal", 8443, Allowlist.parse("models.internal:8443")) == "10.9.8.7"
    assert vet("any.example", 443, Allowlist.parse("10.9.0.0/16")) == "10.9.8.7"
    with pytest.raises(Refused):
        vet("models.internal", 8444, Allowlist.parse("models.internal:8443"))
    with pytest.raises(Refused):
        vet("any.example", 443, Allowlist.parse("10.8.0.0/16"))


def test_an_unresolvable_name_is_refused_with_the_reason():
    with pytest.raises(Refused, match="does not resolve"):
        vet("no-such-host.invalid", 443, NONE)


class Recorder(BaseHTTPRequestHandler):
    """Answers 200, or 307 to `location` when set; records the Host header of each request."""

    hosts: list[str] = []
    location = ""

    def do_GET(self) -> None:
        Recorder.hosts.append(self.headers["Host"])
        self.send_response(307 if Recorder.location else 200)
        if Recorder.location:
            self.send_header("Location", Recorder.location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture
def local_server() -> Iterator[int]:
    Recorder.hosts, Recorder.location = [], ""
    server = HTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_port
    server.shutdown()
    server.server_close()


def test_the_client_connects_to_the_checked_address_keeping_the_name(monkeypatch, local_server):
    allow = Allowlist.parse(f"127.0.0.1:{local_server}")
    resolving_to(monkeypatch, "127.0.0.1")
    with client(allow, timeout=5) as http:
        assert http.get(f"http://receiver.example:{local_server}/x").status_code == 200
    assert Recorder.hosts == [f"receiver.example:{local_server}"]


def test_the_client_refuses_loopback_and_never_connects(local_server):
    with client(NONE, timeout=5) as http, pytest.raises(Refused, match="loopback"):
        http.get(f"http://127.0.0.1:{local_server}/x")
    assert Recorder.hosts == []


def test_a_dns_answer_that_changes_after_the_check_cannot_swap_the_address(
    monkeypatch, local_server
):
    """The first answer (checked) is what is connected to, whatever the resolver says next."""
    answers = iter(["127.0.0.1", "10.0.0.1"])
    real = socket.getaddrinfo

    def rebinding(host: str, port: int, *args: object, **kwargs: object) -> list[tuple]:
        if host != "rebind.example":
            return real(host, port, *args, **kwargs)  # type: ignore[arg-type]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    allow = Allowlist.parse(f"127.0.0.1:{local_server}")
    with client(allow, timeout=5) as http:
        assert http.get(f"http://rebind.example:{local_server}/").status_code == 200
    assert Recorder.hosts == [f"rebind.example:{local_server}"]


def test_the_client_follows_no_redirect(local_server):
    Recorder.location = "http://127.0.0.1:6379/"
    with client(Allowlist.parse(f"127.0.0.1:{local_server}"), timeout=5) as http:
        response = http.get(f"http://127.0.0.1:{local_server}/")
    assert response.status_code == 307 and len(Recorder.hosts) == 1


def test_a_redirect_hop_to_loopback_is_checked_again_and_refused(local_server):
    """Where a library enables redirects (the OpenAI SDK does), each hop goes through the
    vetting transport: an allowed endpoint cannot bounce the server onto another local port."""
    Recorder.location = f"http://localhost:{local_server + 1}/"
    allow = Allowlist.parse(f"127.0.0.1:{local_server}")
    with client(allow, timeout=5) as http, pytest.raises(Refused, match="localhost"):
        http.get(f"http://127.0.0.1:{local_server}/", follow_redirects=True)
    assert len(Recorder.hosts) == 1


def test_only_http_and_https_are_sent():
    with client(NONE, timeout=5) as http, pytest.raises(Refused, match="only http and https"):
        http.get("file:///etc/passwd")


def test_failures_read_generically_for_tenants_with_the_detail_for_admins():
    public, detail = describe_failure(Refused("x.example:5432 resolves to the loopback address"))
    assert (public, "5432" in detail) == (PUBLIC_REFUSED, True)
    public, detail = describe_failure(httpx2.ConnectError("[Errno 111] Connection refused"))
    assert (public, "Connection refused" in detail) == (PUBLIC_UNREACHABLE, True)
