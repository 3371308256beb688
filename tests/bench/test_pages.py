"""`clearinghouse bench pages` seeds a scratch store at two sizes and reads every list at both."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.background.conftest import RUN_CLI


def _bench(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "CLEARINGHOUSE_BENCH_DATABASE_URL"}
    env["PYTHONPATH"] = os.pathsep.join([str(Path.cwd() / "src"), env.get("PYTHONPATH", "")])
    env["TMPDIR"] = str(tmp_path)  # its scratch SQLite database and data directory
    return subprocess.run(
        [sys.executable, "-W", "ignore", "-c", RUN_CLI, "bench", "pages", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_every_list_answers_with_the_same_queries_at_both_sizes(tmp_path: Path) -> None:
    result = _bench(tmp_path, "--scale", "0.002", "--repeat", "1")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[1].startswith("target:   200 reports, 20 assets, 2,000 components")
    header = next(n for n, line in enumerate(lines) if line.startswith("list"))
    rows = lines[header + 1 :]
    assert len(rows) == 13
    for row in rows:
        queries = row[26:36].strip()
        assert queries.isdigit(), row  # "a→b" would mean the count grew with the data


def test_a_bad_scale_is_one_error_line(tmp_path: Path) -> None:
    result = _bench(tmp_path, "--scale", "0")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "error: --scale: give a fraction of the target in (0, 10]"
    ]
