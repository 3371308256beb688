"""A production configuration, in a fresh process: no demo, no test settings, only the
variables a deployment sets (docs/security.md). `check --deploy` passes on it and names what
is missing when a setting is taken away; `clearinghouse serve` behind the trusted TLS proxy
answers with HSTS, Secure/HttpOnly/SameSite cookies and redirects plain HTTP."""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import httpx2
import pytest
from cryptography.fernet import Fernet

from clearinghouse.core.checkpoints import generate_private_key_pem
from tests.background.conftest import RUN_CLI, shared_database  # noqa: F401  (fixture)

HOST = "clearinghouse.example.gov"


def _private_file(path: Path, content: bytes) -> Path:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(content)
    return path


@pytest.fixture
def production(tmp_path: Path) -> dict[str, str]:
    """Every production setting, nothing else: secrets in owner-only files kept outside the
    data directory, the site's name, the TLS proxy trusted; all other defences by default."""
    secrets = tmp_path / "secrets"
    secrets.mkdir(mode=0o700)
    return {
        "PATH": os.environ["PATH"],
        "LANG": "C.UTF-8",
        "HOME": str(tmp_path),
        "PYTHONPATH": str(Path.cwd() / "src"),
        "CLEARINGHOUSE_DATA_DIR": str(tmp_path / "var"),
        "CLEARINGHOUSE_SECRET_KEY_FILE": str(
            _private_file(secrets / "secret_key", os.urandom(48).hex().encode())
        ),
        "CLEARINGHOUSE_AUDIT_SIGNING_KEY_FILE": str(
            _private_file(secrets / "audit.pem", generate_private_key_pem())
        ),
        "CLEARINGHOUSE_CREDENTIAL_KEYS_FILE": str(
            _private_file(secrets / "credential_keys", Fernet.generate_key())
        ),
        "CLEARINGHOUSE_ALLOWED_HOSTS": HOST,
        "CLEARINGHOUSE_TRUSTED_PROXY": "1",
    }


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", RUN_CLI, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_on_a_production_configuration(production) -> None:
    done = _cli(production, "check", "--deploy")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no problems found (deploy checks included)" in done.stdout


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"CLEARINGHOUSE_ALLOWED_HOSTS": None}, "clearinghouse.W007"),
        ({"CLEARINGHOUSE_ALLOWED_HOSTS": "*"}, "clearinghouse.E006"),
        ({"CLEARINGHOUSE_TRUSTED_PROXY": None}, "clearinghouse.E002"),
        ({"CLEARINGHOUSE_AUDIT_SIGNING_KEY_FILE": None}, "audit.W001"),
        ({"CLEARINGHOUSE_SECRET_KEY_FILE": None, "CLEARINGHOUSE_SECRET_KEY": "short"}, "W009"),
        ({"CLEARINGHOUSE_SECRET_KEY_FILE": None}, "clearinghouse.W011"),
        ({"CLEARINGHOUSE_CREDENTIAL_KEYS_FILE": None}, "clearinghouse.W011"),
        ({"CLEARINGHOUSE_DEBUG": "1"}, "security.W018"),
        ({"CLEARINGHOUSE_DEMO": "1"}, "clearinghouse.E005"),
        ({"CLEARINGHOUSE_SSL_REDIRECT": "0"}, "security.W008"),
        ({"CLEARINGHOUSE_HSTS_SECONDS": "0"}, "security.W004"),
        ({"CLEARINGHOUSE_SECURE_COOKIES": "0"}, "security.W012"),
        ({"CLEARINGHOUSE_CSP_REPORT_ONLY": "1"}, "clearinghouse.W003"),
        ({"CLEARINGHOUSE_LOGIN_FAILURE_LIMIT": "0"}, "clearinghouse.E004"),
        ({"CLEARINGHOUSE_AUDIT_CHECKPOINT_EVERY": "0"}, "audit.E001"),
        ({"CLEARINGHOUSE_ASSESSMENT_ALLOW_LOCAL_SANDBOX": "1"}, "clearinghouse.W008"),
        ({"CLEARINGHOUSE_ASSESSMENT_SANDBOX_USER": "no-such-user-here"}, "clearinghouse.E009"),
        ({"CLEARINGHOUSE_ASSESSMENT_SANDBOX_USER": "root"}, "clearinghouse.E009"),
    ],
)
def test_check_deploy_names_each_production_setting_taken_away(
    production, change: dict[str, str | None], named: str
) -> None:
    env = dict(production)
    for name, value in change.items():
        if value is None:
            env.pop(name)
        else:
            env[name] = value
    done = _cli(env, "check", "--deploy")
    assert done.returncode == 1, done.stdout + done.stderr
    failing = done.stderr.splitlines()
    assert any(named in line for line in failing), done.stderr
    if named == "clearinghouse.W011":  # which key, and where the generated one sits
        (variable,) = (name for name in change if name.endswith("_FILE"))
        [line] = [line for line in failing if named in line]
        assert variable.removesuffix("_FILE") in line
        assert env["CLEARINGHOUSE_DATA_DIR"] in line
    assert "Traceback" not in done.stderr


def test_an_allowed_local_sandbox_passes_with_a_user_of_its_own_if_the_worker_can_switch(
    production,
) -> None:
    env = production | {
        "CLEARINGHOUSE_ASSESSMENT_ALLOW_LOCAL_SANDBOX": "1",
        "CLEARINGHOUSE_ASSESSMENT_SANDBOX_USER": "nobody",
    }
    done = _cli(env, "check", "--deploy")
    if os.geteuid() == 0:  # a root worker can switch to it
        assert done.returncode == 0, done.stdout + done.stderr
    else:  # a worker that cannot is told so, not left to fail at the first run
        assert done.returncode == 1 and "clearinghouse.E009" in done.stderr
        assert "cannot switch to another user" in done.stderr


def test_a_secret_file_that_cannot_be_read_is_one_error_line(production) -> None:
    env = production | {"CLEARINGHOUSE_SECRET_KEY_FILE": str(Path(production["HOME"]) / "none")}
    done = _cli(env, "check", "--deploy")
    assert done.returncode == 2
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("error: configuration: CLEARINGHOUSE_SECRET_KEY_FILE: cannot read")


def test_check_deploy_names_a_data_directory_others_can_read(production) -> None:
    data = Path(production["CLEARINGHOUSE_DATA_DIR"])
    data.mkdir(mode=0o700)
    data.chmod(0o755)
    done = _cli(production, "check", "--deploy")
    assert done.returncode == 1
    assert "clearinghouse.E001" in done.stderr and f"chmod 700 {data}" in done.stderr


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def _serving(env: dict[str, str], log: Path, *args: str) -> Iterator[subprocess.Popen[bytes]]:
    """`clearinghouse serve` on a free port (`http://127.0.0.1:<port>`) until the block ends."""
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-c", RUN_CLI, "serve", *args],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    port = int(args[args.index("--port") + 1])
    try:
        deadline = time.monotonic() + 120
        while True:
            assert process.poll() is None, log.read_text()
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)


def _on_shared_database(production: dict[str, str], shared: dict[str, str]) -> dict[str, str]:
    return production | {
        name: shared[name]
        for name in ("CLEARINGHOUSE_DATA_DIR", "CLEARINGHOUSE_DATABASE_URL")
        if name in shared
    }


@pytest.fixture
def served(production, shared_database) -> Iterator[str]:  # noqa: F811  (the fixture)
    """`clearinghouse serve` in its own process on this test's database, production settings."""
    port = _free_port()
    env = _on_shared_database(production, shared_database)
    with _serving(env, Path(production["HOME"]) / "serve.log", "--port", str(port)):
        yield f"http://127.0.0.1:{port}"


def _cookies(response: httpx2.Response) -> dict[str, Any]:
    jar: SimpleCookie = SimpleCookie()
    for header in response.headers.get_list("set-cookie"):
        jar.load(header)
    return dict(jar)


def test_a_production_server_behind_the_tls_proxy_sets_every_https_defence(
    served, org, settings
) -> None:
    from clearinghouse.accounts.models import Role
    from clearinghouse.accounts.services import create_user

    create_user(
        username="operator-admin",
        password="a-long-production-passphrase",
        role=Role.ADMIN,
        organisation=org("Clearinghouse", "clearinghouse"),
    )
    https = {"Host": HOST, "X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}
    with httpx2.Client(base_url=served, follow_redirects=False, trust_env=False) as client:
        # plain HTTP (no proxy header) is sent to HTTPS, without a page
        plain = client.get("/account/login/", headers={"Host": HOST})
        assert plain.status_code == 301
        assert plain.headers["Location"] == f"https://{HOST}/account/login/"
        assert "Strict-Transport-Security" not in plain.headers  # only ever sent over HTTPS

        page = client.get("/account/login/", headers=https)
        assert page.status_code == 200
        hsts = page.headers["Strict-Transport-Security"]
        assert "max-age=31536000" in hsts and "includeSubDomains" in hsts
        assert "default-src 'self'" in page.headers["Content-Security-Policy"]
        csrf = _cookies(page)["csrftoken"]
        assert csrf["secure"] and csrf["httponly"] and csrf["samesite"] == "Lax"
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert token is not None

        signed_in = client.post(
            "/account/login/",
            data={
                "username": "operator-admin",
                "password": "a-long-production-passphrase",
                "csrfmiddlewaretoken": token.group(1),
            },
            headers=https | {"Origin": f"https://{HOST}", "Referer": f"https://{HOST}/"},
            cookies={"csrftoken": csrf.value},
        )
        assert signed_in.status_code == 302, signed_in.text[:500]
        session = _cookies(signed_in)["sessionid"]
        assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"


def test_an_unreadable_outbound_allow_list_is_one_error_line_naming_the_entry(production) -> None:
    """Every verb that sets Django up refuses to start (the entries: tests/core/test_egress.py)."""
    env = production | {"CLEARINGHOUSE_OUTBOUND_ALLOW": "relay.internal, 10.0.0.300"}
    for verb in (["check"], ["worker", "--batch"]):
        done = _cli(env, *verb)
        assert done.returncode == 2, done.stdout + done.stderr
        (line,) = done.stderr.strip().splitlines()
        assert line.startswith("error: configuration: CLEARINGHOUSE_OUTBOUND_ALLOW: ")
        assert "'10.0.0.300'" in line and "clearinghouse.E010" in line


def test_an_unreadable_outbound_allow_list_is_a_system_check_error(production) -> None:
    env = production | {"CLEARINGHOUSE_OUTBOUND_ALLOW": "10.0.0.0/33"}
    done = subprocess.run(
        [sys.executable, "-m", "django", "check", "--settings", "clearinghouse.settings"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert (
        "(clearinghouse.E010) CLEARINGHOUSE_OUTBOUND_ALLOW: outbound allow-list entry "
        "'10.0.0.0/33': not a network" in done.stderr
    )
    assert "Traceback" not in done.stderr


def _started(log: Path, count: int) -> list[int]:
    """The first `count` server processes the log names as started (waiting for them)."""
    deadline = time.monotonic() + 60
    while True:
        pids = [
            int(pid) for pid in re.findall(r"^serve: process (\d+) started$", log.read_text(), re.M)
        ]
        if len(pids) >= count:
            return pids[:count]
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.1)


def _parent(pid: int) -> int:
    # /proc/<pid>/stat: "pid (command) state ppid …"; the command may hold spaces
    return int(Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[1])


def _holder(pids: list[int], client: http.client.HTTPConnection) -> int:
    """Which of `pids` holds the server's end of the client's (open) connection.

    The server's end is the loopback socket whose remote port is the client's local port;
    it is found by its inode among each process's open files (Linux's /proc).
    """
    assert client.sock is not None
    client_port = client.sock.getsockname()[1]
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[2].split(":")[1], 16) == client_port:
            inodes.add(f"socket:[{fields[9]}]")
    holders = set()
    for pid in pids:
        for descriptor in Path(f"/proc/{pid}/fd").iterdir():
            with suppress(OSError):  # closed since it was listed
                if os.readlink(descriptor) in inodes:
                    holders.add(pid)
    (holder,) = holders
    return holder


def _answered(client: http.client.HTTPConnection) -> int:
    client.request("GET", "/account/login/", headers={"Host": HOST, "X-Forwarded-Proto": "https"})
    response = client.getresponse()
    response.read()
    return response.status


def test_a_server_of_two_processes_answers_from_each_and_replaces_one_killed(
    production,
    shared_database,  # noqa: F811  (the fixture)
    tmp_path,
) -> None:
    """`serve --processes 2`: two processes of the server answer on one port; a process
    killed is replaced while the other one goes on answering; SIGTERM stops them all."""
    port = _free_port()
    env = _on_shared_database(production, shared_database)
    log = tmp_path / "serve.log"
    with _serving(env, log, "--port", str(port), "--processes", "2") as server:
        first, second = _started(log, 2)
        assert _parent(first) == _parent(second) == server.pid
        # Keep-alive connections until each process holds one: both answer requests.
        held: dict[int, http.client.HTTPConnection] = {}
        for _ in range(200):
            client = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            assert _answered(client) == 200
            holder = _holder([first, second], client)
            if holder in held:
                client.close()
            else:
                held[holder] = client
            if len(held) == 2:
                break
        assert set(held) == {first, second}, log.read_text()

        os.kill(first, signal.SIGKILL)
        # The other process goes on answering on its connection, and new connections too.
        assert _answered(held[second]) == 200
        assert _answered(http.client.HTTPConnection("127.0.0.1", port, timeout=30)) == 200
        *_, replacement = _started(log, 3)
        assert f"serve: process {first} ended (killed by signal 9); starting another" in (
            log.read_text()
        )
        assert _parent(replacement) == server.pid
        assert not Path(f"/proc/{first}").exists()  # collected by the server: no zombie

        os.kill(second, signal.SIGKILL)  # now only the replacement (and a new one) remain
        *_, third = _started(log, 4)
        assert _answered(http.client.HTTPConnection("127.0.0.1", port, timeout=30)) == 200
        for client in held.values():
            client.close()

        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0, log.read_text()
        assert not Path(f"/proc/{replacement}").exists() and not Path(f"/proc/{third}").exists()
