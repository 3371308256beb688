"""Runs a `clearinghouse bench …` verb as its own process, as a user would, on a scratch store."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.background.conftest import RUN_CLI


def bench(tmp_path: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """`clearinghouse bench ARGS…` in a subprocess; its scratch SQLite store under `tmp_path`.

    A configured bench database (CLEARINGHOUSE_BENCH_DATABASE_URL) is dropped from the
    environment, so a test never writes to one.
    """
    env = {k: v for k, v in os.environ.items() if k != "CLEARINGHOUSE_BENCH_DATABASE_URL"}
    env["PYTHONPATH"] = os.pathsep.join([str(Path.cwd() / "src"), env.get("PYTHONPATH", "")])
    env["TMPDIR"] = str(tmp_path)  # its scratch SQLite database and data directory
    return subprocess.run(
        [sys.executable, "-W", "ignore", "-c", RUN_CLI, "bench", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
