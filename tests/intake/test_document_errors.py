"""A refused document's problems reach every interface as data: the API's 422 and the batch
answer (format, item, pointer), the CLI's line, a failed submission's stored errors and its page.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from clearinghouse.intake import services
from clearinghouse.intake.models import Submission

from .conftest import native

pytestmark = pytest.mark.django_db
URL = "/api/intake/submissions"


def bad_third_item(csaf_path: Path) -> bytes:
    advisory = json.loads(csaf_path.read_bytes())
    advisory["vulnerabilities"][2]["cve"] = "not-a-cve"
    return json.dumps(advisory).encode()


def test_the_api_names_the_format_item_and_pointer_of_the_bad_item(
    cast, api_as, csaf_path: Path
) -> None:
    response = api_as(cast["vendor"]).post(
        URL, bad_third_item(csaf_path), content_type="application/json"
    )
    assert response.status_code == 422
    (entry,) = response.json()["detail"]
    assert entry["loc"] == ["document", "vulnerabilities", "2", "cve"]
    assert (entry["format"], entry["item"], entry["pointer"]) == (
        "csaf",
        2,
        "/vulnerabilities/2/cve",
    )
    assert "not-a-cve" in entry["msg"]


def test_a_problem_of_the_whole_document_has_no_item_and_the_root_pointer(cast, api_as) -> None:
    response = api_as(cast["lab1"]).post(URL, b'{"hello": 1}', content_type="application/json")
    (entry,) = response.json()["detail"]
    assert (entry["loc"], entry["format"], entry["item"], entry["pointer"]) == (
        ["document"],
        None,
        None,
        "",
    )


def test_the_batch_answer_carries_the_same_entries(cast, api_as) -> None:
    files = [
        SimpleUploadedFile("ok.json", native({"title": "fine"})),
        SimpleUploadedFile("bad.json", native({"title": "fine"}, {"title": "bad", "cwe": "89"})),
    ]
    body = api_as(cast["lab1"]).post(f"{URL}/batch", {"documents": files}).json()
    (entry,) = body[1]["errors"]
    assert (entry["format"], entry["item"], entry["pointer"]) == ("native", 1, "/reports/1/cwe")


def test_a_failed_submission_stores_its_problems_as_entries(cast, api_as, pages_as) -> None:
    submission = services.submit(
        cast["lab1"], native({"title": "one"}, {"title": "two"}), background=True
    ).submission
    # The stored document no longer reads (as if a reader's rules had tightened since).
    broken = native({"title": "one"}, {"title": "two", "cwe": "89"}).decode()
    Submission.objects.filter(pk=submission.pk).update(original=broken)
    with pytest.raises(Exception, match="cwe"):
        services.process(submission.pk)
    submission.refresh_from_db()
    (entry,) = submission.errors
    assert (submission.status, entry["format"], entry["item"], entry["pointer"]) == (
        "failed",
        "native",
        1,
        "/reports/1/cwe",
    )
    shown = api_as(cast["lab1"]).get(f"{URL}/{submission.pk}").json()
    assert shown["errors"] == [entry]
    page = pages_as(cast["lab1"]).get(f"/intake/submissions/{submission.pk}/").content.decode()
    assert "<code>/reports/1/cwe</code> (item 1) String should match pattern" in page
