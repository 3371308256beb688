"""`clearinghouse bench load` runs the served app with two workers and checks exactly-once."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.background.conftest import RUN_CLI


def test_bench_load_counts_every_accepted_submission_once(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "CLEARINGHOUSE_BENCH_DATABASE_URL"}
    env["PYTHONPATH"] = os.pathsep.join([str(Path.cwd() / "src"), env.get("PYTHONPATH", "")])
    env["TMPDIR"] = str(tmp_path)  # its scratch SQLite database and data directory
    small = ["--clients", "2", "--seconds", "1", "--baseline-seconds", "1", "--large-every", "0"]
    small += ["--prefill", "20", "--warmup-seconds", "1"]
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            RUN_CLI,
            "bench",
            "load",
            *small,
            "--threads",
            "2",
            "--processes",
            "2",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[1].startswith("baseline   1 client(s)") and lines[2].startswith("load       2")
    # Requests were answered (not redirected to HTTPS) and each accepted one stored once.
    assert lines[1].endswith(" 0 errors") and lines[2].endswith(" 0 errors"), result.stdout
    assert not lines[-2].startswith("exactly once: 0 accepted"), result.stdout
    assert lines[-1] == "every accepted submission stored exactly once"
