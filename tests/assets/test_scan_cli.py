"""`clearinghouse scan`: offline, no Django; table, JSON and SARIF; exit 1 / 0 / 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from clearinghouse.cli import main
from tests.shared_data import shared_data


@pytest.fixture
def sbom() -> Path:
    (path,) = shared_data("sbom/containers").glob("spdx-syft-balenalib_artik533s-alpine-python-*")
    return path


def test_scan_runs_without_django_and_exits_1_when_vulnerable(sbom):
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["CLEARINGHOUSE_DATABASE_URL"] = "postgres://nobody@127.0.0.1:1/none"
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from clearinghouse.cli import main; code = main(sys.argv[1:]); "
            "assert not any(m.startswith('django') for m in sys.modules); sys.exit(code)",
            "scan",
            str(sbom),
            "--advisories",
            str(shared_data("osv/pypi/pip")),
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert "PYSEC-2023-228" in result.stdout and "affected" in result.stdout


def test_a_clean_sbom_exits_0(sbom, capsys):
    assert main(["scan", str(sbom), "--advisories", str(shared_data("osv/rustsec"))]) == 0
    assert "0 affected" in capsys.readouterr().out


def test_json_lists_matches_and_components_that_could_not_be_evaluated(sbom, capsys):
    code = main(
        ["scan", str(sbom), "--advisories", str(shared_data("osv/pypi/pip")), "--format", "json"]
    )
    body = json.loads(capsys.readouterr().out)
    assert code == 1
    pip = next(c for c in body["components"] if c["package"] == "pip")
    assert pip["version"] == "22.1.2"
    assert [m["id"] for m in pip["matches"]] == ["PYSEC-2023-228"]
    assert pip["matches"][0]["verdict"] == "affected"
    unevaluated = [c for c in body["components"] if c["problem"] and c["package"] is None]
    assert len(unevaluated) == body["summary"]["not_evaluated"] > 0
    assert body["summary"]["components"] == 84


def test_sarif_is_structurally_valid_sarif_2_1_0(sbom, capsys):
    main(["scan", str(sbom), "--advisories", str(shared_data("osv/pypi/pip")), "--format", "sarif"])
    log = json.loads(capsys.readouterr().out)
    # Checked against the SARIF 2.1.0 specification's required members (no schema shipped).
    assert log["version"] == "2.1.0" and log["$schema"].endswith("sarif-2.1.0.json")
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] and isinstance(driver["rules"], list)
    for result in run["results"]:
        assert result["level"] in {"none", "note", "warning", "error"}
        assert result["message"]["text"]
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == sbom.name
    assert {r["ruleId"] for r in run["results"]} == {"PYSEC-2023-228"}


def test_bad_input_is_one_error_line_and_exit_2(tmp_path, sbom, capsys):
    cases = []
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    cases.append(["scan", str(broken), "--advisories", str(shared_data("osv/pypi/pip"))])
    cases.append(["scan", str(tmp_path / "missing.json"), "--advisories", str(tmp_path)])
    cases.append(["scan", str(sbom), "--advisories", str(tmp_path / "nowhere")])
    for argv in cases:
        assert main(argv) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("error: "), err


def test_bench_match_prints_throughput_and_the_speed_up(capsys):
    argv = ["bench", "match", "--advisories", str(shared_data("osv/pypi/pip"))]
    assert main([*argv, "--components", "2000", "--naive-sample", "20"]) == 0
    out = capsys.readouterr().out
    assert "components/s" in out and "speed-up:" in out
    assert main(["bench", "match", "--advisories", "/nonexistent"]) == 2
