"""`clearinghouse bench pages` seeds a scratch store at two sizes and reads every list at both."""

from __future__ import annotations

from pathlib import Path

from ._cli import bench


def test_every_list_answers_with_the_same_queries_at_both_sizes(tmp_path: Path) -> None:
    result = bench(tmp_path, "pages", "--scale", "0.002", "--repeat", "1")
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
    result = bench(tmp_path, "pages", "--scale", "0")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "error: --scale: give a fraction of the target in (0, 10]"
    ]
