"""`clearinghouse intake FILE…` through a server with a token, or locally; feed imports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clearinghouse.accounts.services import issue_token
from clearinghouse.cli import main
from clearinghouse.intake.models import KevListing, Report, Submission
from tests.shared_data import shared_data

from .conftest import native


@pytest.mark.django_db(transaction=True)
def test_files_go_through_the_server_and_every_item_is_listed(
    live_server, cast, csaf_path: Path, osv_path: Path, tmp_path, monkeypatch, capsys
) -> None:
    monkeypatch.setenv("CLEARINGHOUSE_TOKEN", issue_token(cast["vendor"], "cli")[1])
    again = tmp_path / "lab.json"
    again.write_bytes(native({"title": "Same bug", "aliases": ["CVE-2021-31344"]}))
    argv = ["intake", str(csaf_path), str(osv_path), str(again), "--server", live_server.url]
    assert main([*argv, "--json"]) == 0, capsys.readouterr().err
    listed = json.loads(capsys.readouterr().out)
    assert [entry["format"] for entry in listed] == ["csaf", "osv", "native"]
    assert [len(entry["items"]) for entry in listed] == [4, 1, 1]
    first = listed[0]["items"][0]
    assert (
        first["report_id"]
        == Report.objects.get(cve_ids=["CVE-2021-31344"], source_format="csaf").pk
    )
    assert listed[2]["items"][0]["duplicate_of"] == first["report_id"]
    # Sent again: nothing new, the earlier results.
    assert main([*argv, "--json"]) == 0
    assert [e["created"] for e in json.loads(capsys.readouterr().out)] == [False, False, False]
    assert Submission.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_a_refused_file_is_one_error_line_and_exit_2(
    live_server, cast, tmp_path, monkeypatch, capsys
) -> None:
    monkeypatch.setenv("CLEARINGHOUSE_TOKEN", issue_token(cast["lab1"], "cli")[1])
    bad = tmp_path / "bad.json"
    bad.write_bytes(native({"title": "x", "cwe": "89"}))
    assert main(["intake", str(bad), "--server", live_server.url]) == 2
    # (the live server logs its 422 to the same stderr; only our lines start with "error:")
    err = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error:")]
    assert len(err) == 1 and err[0].startswith(f"error: {bad}: document.reports.0.cwe:")
    assert not Submission.objects.exists()


def test_local_intake_acts_as_the_named_user(cast, csaf_path: Path, capsys) -> None:
    assert main(["intake", str(csaf_path), "--as-user", cast["vendor"].username]) == 0
    out = capsys.readouterr().out
    assert "submission #" in out and "(csaf, new) completed, 4/4 items" in out
    assert Submission.objects.get().submitted_by == cast["vendor"]


def test_a_missing_file_is_bad_input(cast, capsys) -> None:
    assert main(["intake", "/nonexistent.json", "--as-user", cast["vendor"].username]) == 2
    assert "no such file" in capsys.readouterr().err


def test_import_kev_loads_the_real_catalog(cast, capsys) -> None:
    path = shared_data("kev/known_exploited_vulnerabilities.json")
    assert main(["import", "kev", str(path), "--as-user", cast["coordinator"].username]) == 0
    assert "entries" in capsys.readouterr().out
    assert KevListing.objects.count() > 1000


def test_import_kev_refuses_a_broken_file_and_a_lab(cast, tmp_path, capsys) -> None:
    broken = tmp_path / "kev.json"
    broken.write_text('{"title": "x"}')
    assert main(["import", "kev", str(broken)]) == 2
    assert "schema violation" in capsys.readouterr().err
    path = shared_data("kev/known_exploited_vulnerabilities.json")
    assert main(["import", "kev", str(path), "--as-user", cast["lab1"].username]) == 2
    assert not KevListing.objects.exists()


def test_import_epss_reads_the_daily_csv(cast, tmp_path, capsys) -> None:
    path = tmp_path / "epss.csv"
    path.write_text("cve,epss,percentile\nCVE-2021-44228,0.97,0.99\n")
    assert main(["import", "epss", str(path)]) == 0
    assert "1 entries" in capsys.readouterr().out
