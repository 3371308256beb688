"""Many documents at once (`services.submit_many`, the batch API): each its own submission,
written together; refusals, idempotency, dedup across documents, audit and query count.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clearinghouse.audit.models import AuditEvent
from clearinghouse.audit.services import first_broken_link
from clearinghouse.errors import InvalidInput
from clearinghouse.intake import services
from clearinghouse.intake.models import DuplicateCandidate, Report, ReportKey, Submission
from tests.shared_data import shared_data

from .conftest import native, reports_of

pytestmark = pytest.mark.django_db

SECOND_CSAF = "csaf/cisa/2022/icsa-22-069-01.json"


def upload(data: bytes, name: str) -> services.Upload:
    return services.Upload(data, filename=name)


def test_a_refused_document_stores_nothing_and_does_not_hold_back_the_others(cast) -> None:
    results = services.submit_many(
        cast["lab1"],
        [
            upload(native({"title": "first"}), "a.json"),
            upload(native({"title": "bad", "cwe": "89"}), "bad.json"),
            upload(b"   ", "empty.json"),
            upload(native({"title": "third"}), "c.json"),
        ],
    )
    assert [r.name for r in results] == ["a.json", "bad.json", "empty.json", "c.json"]
    good = [r.outcome.submission for r in results if r.outcome is not None]
    assert [s.filename for s in good] == ["a.json", "c.json"]
    assert all(r.outcome is not None and r.outcome.created for r in (results[0], results[3]))
    assert isinstance(results[1].error, InvalidInput)
    assert results[1].error.errors[0].loc[:3] == ("document", "reports", "0")
    assert results[2].outcome is None and "empty" in str(results[2].error)
    assert Submission.objects.count() == 2
    assert sorted(Report.objects.values_list("title", flat=True)) == ["first", "third"]
    assert all(s.status == "completed" and s.processed_items == 1 for s in good)


def test_options_wrong_for_every_document_refuse_the_batch(cast) -> None:
    with pytest.raises(InvalidInput):
        services.submit_many(
            cast["lab1"], [upload(native({"title": "x"}), "a.json")], reporter_kind="robot"
        )
    assert not Submission.objects.exists()


def test_a_document_sent_again_in_a_batch_or_stored_before_creates_nothing(cast) -> None:
    stored = services.submit(cast["lab1"], native({"title": "stored"})).submission
    twice = native({"title": "twice"})
    results = services.submit_many(
        cast["lab1"],
        [upload(native({"title": "stored"}), "s.json"), upload(twice, "1.json"),
         upload(twice, "2.json")],
    )  # fmt: skip
    outcomes = [r.outcome for r in results]
    assert all(outcome is not None for outcome in outcomes)
    assert [(o.submission.pk, o.created) for o in outcomes if o] == [
        (stored.pk, False),
        (outcomes[1].submission.pk if outcomes[1] else 0, True),
        (outcomes[1].submission.pk if outcomes[1] else 0, False),
    ]
    assert Submission.objects.count() == 2
    # Another organisation's batch is its own.
    other = services.submit_many(cast["lab2"], [upload(twice, "1.json")])
    assert other[0].outcome is not None and other[0].outcome.created


def test_reports_of_one_batch_are_deduplicated_against_each_other_and_the_store(
    cast, csaf_path: Path
) -> None:
    stored = services.submit(cast["vendor"], csaf_path.read_bytes()).submission
    earlier = stored.reports.get(cve_ids=["CVE-2021-31344"])
    results = services.submit_many(
        cast["lab1"],
        [
            upload(native({"title": "Found by Cirrus", "aliases": ["GHSA-aaaa-bbbb-cccc"]}), "1"),
            upload(native({"title": "Found again", "aliases": ["GHSA-aaaa-bbbb-cccc"]}), "2"),
            upload(native({"title": "Known one", "aliases": ["CVE-2021-31344"]}), "3"),
        ],
    )
    first, second, third = (r.outcome.submission.reports.get() for r in results if r.outcome)
    assert first.duplicate_of_id is None
    assert second.duplicate_of_id == first.pk
    assert third.duplicate_of_id == earlier.pk
    assert DuplicateCandidate.objects.filter(report=second, candidate=first).exists()
    assert ReportKey.objects.filter(report=second, key="alias:ghsa-aaaa-bbbb-cccc").exists()


def test_audit_events_are_those_of_one_by_one_submissions_and_the_chain_verifies(
    cast, csaf_path: Path
) -> None:
    results = services.submit_many(
        cast["lab1"],
        [
            upload(csaf_path.read_bytes(), "a.json"),
            upload(native({"title": "x", "cwe": "89"}), "bad.json"),
            upload(shared_data(SECOND_CSAF).read_bytes(), "b.json"),
        ],
    )
    first, second = (r.outcome.submission for r in results if r.outcome)
    events = list(AuditEvent.objects.filter(object_type="intake.submission").order_by("sequence"))
    assert [(e.action, e.object_id) for e in events] == [
        ("submission.received", str(first.pk)),
        ("submission.processed", str(first.pk)),
        ("submission.received", str(second.pk)),
        ("submission.processed", str(second.pk)),
    ]
    assert [e.sequence for e in events] == list(range(events[0].sequence, events[0].sequence + 4))
    assert events[0].actor_label == cast["lab1"].username and events[1].actor_label == "system"
    assert f'"reports":{first.total_items}' in events[1].after
    assert f'"sha256":"{second.sha256}"' in events[2].after
    assert first_broken_link() is None


def test_a_batch_costs_a_bounded_number_of_queries_whatever_its_size(cast, csaf_path) -> None:
    services.submit(cast["vendor"], csaf_path.read_bytes())

    def cost(count: int, tag: str) -> int:
        documents = [
            upload(native({"title": f"{tag} {n}", "aliases": ["CVE-2021-31344"]}), f"{n}.json")
            for n in range(count)
        ]
        with CaptureQueriesContext(connection) as queries:
            results = services.submit_many(cast["lab1"], documents)
        assert all(r.outcome is not None and r.outcome.created for r in results)
        return len(queries.captured_queries)

    small, large = cost(5, "five"), cost(40, "forty")
    # Idempotency look-up, submissions, KEV + EPSS, reports, the store's word counts (twice:
    # the new reports' words, then the pool's), the index look-up, the pool (and the rest of
    # its documents), the index's postings and counts, candidates, the groups the links would
    # join (for the veto), links, three for the audit chain, the batch's transaction and its
    # group's savepoint, whatever the count, except that inserts are split at 999 parameters
    # (SQLite: a statement per 22 reports, per 499 postings) and that PostgreSQL takes the ids
    # of many new rows from their sequence first. One by one, 40 documents cost 40 times 20.
    assert small <= 22 and large <= small + 7, (small, large)


def test_large_documents_of_a_batch_are_left_to_the_worker(cast, settings) -> None:
    settings.CLEARINGHOUSE_INTAKE_BACKGROUND_ITEMS = 2
    results = services.submit_many(
        cast["lab1"],
        [
            upload(
                native(*({"title": f"bug {i}", "description": f"text {i}"} for i in range(3))), "l"
            ),
            upload(native({"title": "small"}), "s"),
        ],
    )
    large, small = (r.outcome.submission for r in results if r.outcome)
    assert (large.status, large.reports.count()) == ("queued", 0)
    assert (small.status, small.reports.count()) == ("completed", 1)
    assert services.process(large.pk).processed_items == 3


def test_the_batch_api_answers_each_document_in_order(cast, api_as) -> None:
    files = [
        SimpleUploadedFile("a.json", native({"title": "one", "aliases": ["GHSA-xxxx-yyyy-zzzz"]})),
        SimpleUploadedFile("bad.json", b"{not json"),
        SimpleUploadedFile("b.json", native({"title": "two", "aliases": ["GHSA-xxxx-yyyy-zzzz"]})),
    ]
    response = api_as(cast["lab1"]).post(
        "/api/intake/submissions/batch", {"documents": files, "model": "cirrus-2"}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert [(item["name"], item["created"]) for item in body] == [
        ("a.json", True), ("bad.json", False), ("b.json", True),
    ]  # fmt: skip
    assert body[1]["submission"] is None and body[1]["errors"][0]["loc"] == ["document"]
    lab = api_as(cast["lab1"])
    (one,), (two,) = reports_of(lab, body[0]["submission"]), reports_of(lab, body[2]["submission"])
    assert two["duplicate_of"] == one["id"]  # its own organisation's report: shown
    assert Report.objects.get(pk=one["id"]).model_name == "cirrus-2"
    assert Submission.objects.count() == 2


def test_the_batch_api_refuses_an_oversized_file_alone_and_a_batch_over_the_limits(
    cast, api_as, settings
) -> None:
    settings.CLEARINGHOUSE_INTAKE_MAX_BYTES = 60
    client = api_as(cast["lab1"])
    files = [
        SimpleUploadedFile("big.json", native({"title": "x" * 100})),
        SimpleUploadedFile("ok.json", native({"title": "ok"})),
    ]
    body = client.post("/api/intake/submissions/batch", {"documents": files}).json()
    assert body[0]["submission"] is None and "limit" in body[0]["errors"][0]["msg"]
    assert body[1]["created"] is True
    settings.CLEARINGHOUSE_INTAKE_MAX_BATCH_DOCUMENTS = 1
    files = [SimpleUploadedFile(f"{n}.json", native({"title": f"t{n}"})) for n in range(2)]
    response = client.post("/api/intake/submissions/batch", {"documents": files})
    assert response.status_code == 422
    assert Submission.objects.count() == 1
