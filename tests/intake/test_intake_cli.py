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


def _worker_runs_while_waiting(monkeypatch) -> list[float]:
    """While `intake --wait` sleeps between polls, the worker runs its queue (once)."""
    from django.core.management import call_command

    slept: list[float] = []

    def sleep(seconds: float) -> None:
        if not slept:
            call_command("db_worker", batch=True, startup_delay=False)
        slept.append(seconds)

    monkeypatch.setattr("clearinghouse.cli._intake.time.sleep", sleep)
    return slept


@pytest.mark.django_db(transaction=True)
def test_wait_follows_a_background_submission_to_its_reports(
    live_server, cast, tmp_path, monkeypatch, capsys, settings
) -> None:
    settings.CLEARINGHOUSE_INTAKE_BACKGROUND_ITEMS = 2
    monkeypatch.setenv("CLEARINGHOUSE_TOKEN", issue_token(cast["lab1"], "cli")[1])
    large = tmp_path / "large.json"
    large.write_bytes(
        native(*({"title": f"bug {i}", "description": f"text {i}"} for i in range(3)))
    )
    slept = _worker_runs_while_waiting(monkeypatch)
    argv = ["intake", str(large), "--server", live_server.url, "--wait", "--json"]
    assert main(argv) == 0, capsys.readouterr().err
    (entry,) = json.loads(capsys.readouterr().out)
    assert slept, "the first poll should have found the submission still queued"
    assert (entry["status"], entry["processed_items"], entry["total_items"]) == ("completed", 3, 3)
    stored = Report.objects.filter(submission_id=entry["submission"]).order_by("index")
    assert [item["report_id"] for item in entry["items"]] == [r.pk for r in stored]
    assert all("duplicate_of" in item for item in entry["items"])


@pytest.mark.django_db(transaction=True)
def test_wait_in_local_mode_follows_an_earlier_queued_submission(
    cast, tmp_path, monkeypatch, capsys
) -> None:
    from clearinghouse.intake import services

    data = native(*({"title": f"bug {i}", "description": f"text {i}"} for i in range(3)))
    queued = services.submit(cast["lab1"], data, background=True).submission
    path = tmp_path / "again.json"
    path.write_bytes(data)
    _worker_runs_while_waiting(monkeypatch)
    assert main(["intake", str(path), "--as-user", cast["lab1"].username, "--wait"]) == 0
    out = capsys.readouterr().out
    assert f"submission #{queued.pk} (native, already submitted) completed, 3/3 items" in out
    assert out.count("report #") == 3


@pytest.mark.django_db(transaction=True)
def test_wait_names_the_place_of_a_failed_submissions_problem(
    cast, tmp_path, monkeypatch, capsys
) -> None:
    from clearinghouse.intake import services

    data = native({"title": "one"}, {"title": "two"})
    queued = services.submit(cast["lab1"], data, background=True).submission
    # The stored copy no longer reads (as if a reader's rules had tightened since).
    broken = native({"title": "one"}, {"title": "two", "cwe": "89"}).decode()
    Submission.objects.filter(pk=queued.pk).update(original=broken)
    path = tmp_path / "again.json"
    path.write_bytes(data)
    _worker_runs_while_waiting(monkeypatch)
    assert main(["intake", str(path), "--as-user", cast["lab1"].username, "--wait"]) == 2
    err = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error:")]
    assert err == [
        f"error: {path}: submission #{queued.pk} failed: /reports/1/cwe: "
        "String should match pattern '^(CWE-\\d{1,6})?$'"
    ]


def test_several_local_files_are_one_batch_and_a_refused_one_is_named(
    cast, csaf_path: Path, tmp_path, capsys
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_bytes(native({"title": "x", "cwe": "89"}))
    again = tmp_path / "lab.json"
    again.write_bytes(native({"title": "Same bug", "aliases": ["CVE-2021-31344"]}))
    argv = ["intake", str(csaf_path), str(bad), str(again), "--as-user", cast["lab1"].username]
    assert main([*argv, "--json"]) == 2
    captured = capsys.readouterr()
    listed = json.loads(captured.out)
    assert [entry["file"] for entry in listed] == [str(csaf_path), str(again)]
    assert listed[1]["items"][0]["duplicate_of"] == listed[0]["items"][0]["report_id"]
    # (the progress bar leaves an empty line on stderr; only our lines start with "error:")
    err = [line for line in captured.err.splitlines() if line.startswith("error:")]
    assert len(err) == 1 and err[0].startswith(f"error: {bad}: document.reports.0.cwe:")
    assert Submission.objects.count() == 2


def test_the_cli_names_no_other_organisations_report(cast, two_reports, tmp_path, capsys) -> None:
    earlier, _ = two_reports
    same = tmp_path / "same.json"
    same.write_bytes(native({"title": "Also found", "aliases": ["CVE-2021-31344"]}))
    assert main(["intake", str(same), "--as-user", cast["lab2"].username, "--json"]) == 0
    (entry,) = json.loads(capsys.readouterr().out)
    (item,) = entry["items"]
    assert item["duplicate_of"] is None
    assert Report.objects.get(pk=item["report_id"]).duplicate_of_id == earlier


@pytest.mark.django_db
def test_intake_reindex_rebuilds_the_dedup_index(cast, capsys) -> None:
    from clearinghouse.intake import services
    from clearinghouse.intake.models import ReportKey

    services.submit(cast["lab1"], native({"title": "Overflow in the RTU-9 parser"}))
    ReportKey.objects.all().delete()
    assert main(["intake-reindex"]) == 0
    assert capsys.readouterr().out.startswith("dedup index rebuilt: 1 reports, ")
    assert ReportKey.objects.exists()
