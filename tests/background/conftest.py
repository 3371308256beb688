"""Real `clearinghouse worker` processes on the test database, started and killed by tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.advisories.conftest import write_osv  # noqa: F401  (fixture)

#: Short enough for a test to see a dead worker's tasks taken back within seconds, long
#: enough that a live worker's beat is not late on a loaded 2-core CI machine.
LEASE_SECONDS = 3.0

RUN_CLI = "import sys; from clearinghouse.cli import main; sys.exit(main(sys.argv[1:]))"


@pytest.fixture
def shared_database(
    transactional_db: None, tmp_path: Path, settings: Any
) -> Iterator[dict[str, str]]:
    """The environment that points a subprocess at this test's database.

    PostgreSQL's test database is reachable as it is. SQLite's is in memory, so for these
    tests the connection is moved to a migrated file in `tmp_path` (and back afterwards).
    """
    from django.db import connection

    env = dict(os.environ)
    env |= {
        "PYTHONPATH": os.pathsep.join([str(Path.cwd() / "src"), env.get("PYTHONPATH", "")]),
        "CLEARINGHOUSE_SECRET_KEY": settings.SECRET_KEY,
        "CLEARINGHOUSE_CREDENTIAL_KEYS": ",".join(settings.CLEARINGHOUSE_CREDENTIAL_KEYS),
        "CLEARINGHOUSE_WORKER_LEASE_SECONDS": str(LEASE_SECONDS),
        "CLEARINGHOUSE_WEBHOOK_RETRY_SECONDS": "0.5",
        "CLEARINGHOUSE_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "CLEARINGHOUSE_DATA_DIR": str(tmp_path),
    }
    settings.CLEARINGHOUSE_WORKER_LEASE_SECONDS = LEASE_SECONDS
    database = connection.settings_dict
    if connection.vendor == "postgresql":
        env["CLEARINGHOUSE_DATABASE_URL"] = (
            f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
        )
        yield env
        return
    from django.core.management import call_command

    env.pop("CLEARINGHOUSE_DATABASE_URL", None)
    memory, name = connection.connection, database["NAME"]
    connection.connection = None  # kept open (closing it would drop the in-memory database)
    database["NAME"] = str(tmp_path / "clearinghouse.sqlite3")
    try:
        call_command("migrate", verbosity=0)
        yield env
    finally:
        connection.close()
        database["NAME"] = name
        connection.connection = memory


class Workers:
    """`clearinghouse worker` subprocesses: started, killed with SIGKILL, stopped at the end."""

    def __init__(self, env: dict[str, str], tmp_path: Path) -> None:
        self.env, self.tmp_path = env, tmp_path
        self.running: list[subprocess.Popen[bytes]] = []

    def start(self, **extra_env: str) -> subprocess.Popen[bytes]:
        log = (self.tmp_path / f"worker{len(self.running)}.log").open("wb")
        process = subprocess.Popen(
            [sys.executable, "-c", RUN_CLI, "worker"],
            env=self.env | extra_env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.running.append(process)
        return process

    def kill(self, process: subprocess.Popen[bytes]) -> None:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self) -> None:
        for process in self.running:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.kill(process)

    def logs(self) -> str:
        return "\n".join(
            p.read_text(errors="replace") for p in sorted(self.tmp_path.glob("worker*.log"))
        )


@pytest.fixture
def workers(shared_database: dict[str, str], tmp_path: Path) -> Iterator[Workers]:
    """Start and kill workers on the test database; all are stopped before it is flushed."""
    pool = Workers(shared_database, tmp_path)
    try:
        yield pool
    finally:
        pool.stop_all()


def wait_for(condition: Callable[[], Any], *, timeout: float = 60, what: str = "") -> Any:
    """Poll `condition` until it is true (returned) or fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out after {timeout:g} s waiting for {what or condition}")
