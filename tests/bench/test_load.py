"""`clearinghouse bench load` runs the served app with two workers and checks exactly-once."""

from __future__ import annotations

from pathlib import Path

from ._cli import bench


def test_bench_load_counts_every_accepted_submission_once(tmp_path: Path) -> None:
    small = ["--clients", "2", "--seconds", "1", "--baseline-seconds", "1", "--large-every", "0"]
    small += ["--prefill", "20", "--warmup-seconds", "1"]
    result = bench(tmp_path, "load", *small, "--threads", "2", "--processes", "2", timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[1].startswith("baseline   1 client(s)") and lines[2].startswith("load       2")
    # Requests were answered (not redirected to HTTPS) and each accepted one stored once.
    assert lines[1].endswith(" 0 errors") and lines[2].endswith(" 0 errors"), result.stdout
    assert not lines[-2].startswith("exactly once: 0 accepted"), result.stdout
    assert lines[-1] == "every accepted submission stored exactly once"
