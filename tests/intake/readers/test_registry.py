"""The registry: every reader module registers itself, and a new format needs nothing else.

`ToyReader` is a format made up here: registered, it is detected, read, stored, offered by
the form and the report filter, and its refusals reach the API with its name, all without
touching any other module.
"""

from __future__ import annotations

import json
import pkgutil
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from pydantic import ValidationError

from clearinghouse.intake import readers
from clearinghouse.intake.inputs import ReportFilter
from clearinghouse.intake.readers import (
    DocumentError,
    Format,
    Item,
    Source,
    formats,
    read_document,
    register,
    unregister,
)


class ToyReader:
    """A made-up format: `{"toy": [{"bug": "..."}, ...]}`."""

    name = "toy"
    label = "Toy Bugs 1.0"
    yaml = False
    distinct_items = False

    def recognises(self, tree: Any) -> bool:
        return isinstance(tree, Mapping) and "toy" in tree

    def read(self, source: Source) -> list[Item]:
        bugs = source.tree["toy"]
        for number, bug in enumerate(bugs):
            if not isinstance(bug.get("bug"), str):
                raise DocumentError.at(("toy", number, "bug"), "name the bug", item=number)
        return [Item(index=number, title=bug["bug"]) for number, bug in enumerate(bugs)]


@pytest.fixture
def toy() -> Iterator[None]:
    register(ToyReader)
    yield
    unregister("toy")


def toys(*bugs: dict[str, Any]) -> bytes:
    return json.dumps({"toy": list(bugs)}).encode()


def test_every_module_of_the_package_registers_its_reader() -> None:
    modules = {m.name for m in pkgutil.iter_modules(readers.__path__) if m.name[0] != "_"}
    assert modules == {"csaf", "cve5", "native", "osv", "sarif"}
    assert {type(f.reader).__module__.rsplit(".", 1)[1] for f in formats()} == modules


def test_a_registered_reader_is_detected_and_read(toy: None) -> None:
    document = read_document(toys({"bug": "overflow"}, {"bug": "leak"}))
    assert document.format == "toy" and document.format.label == "Toy Bugs 1.0"
    assert [item.title for item in document.items] == ["overflow", "leak"]


def test_a_registered_readers_refusal_carries_its_name(toy: None) -> None:
    with pytest.raises(DocumentError) as raised:
        read_document(toys({"bug": "fine"}, {"oops": 1}))
    assert raised.value.format == "toy"
    assert raised.value.detail() == [
        {
            "loc": ["document", "toy", "1", "bug"],
            "msg": "name the bug",
            "format": "toy",
            "item": 1,
            "pointer": "/toy/1/bug",
        }
    ]


def test_the_typed_filter_and_the_form_offer_a_registered_format(toy: None) -> None:
    from clearinghouse.intake.forms import SubmitForm

    assert ReportFilter.model_validate({"source": "toy"}).source == "toy"
    assert '<option value="toy">Toy Bugs 1.0</option>' in str(SubmitForm()["format"])
    assert "toy" in ReportFilter.model_json_schema()["properties"]["source"]["anyOf"][0]["enum"]


def test_an_unregistered_format_is_unknown_again(toy: None) -> None:
    unregister("toy")
    try:
        with pytest.raises(ValidationError, match="must be one of"):
            ReportFilter.model_validate({"source": "toy"})
        with pytest.raises(DocumentError, match="cannot tell the format"):
            read_document(toys({"bug": "x"}))
    finally:
        register(ToyReader)


def test_a_document_two_formats_claim_is_refused_not_guessed(toy: None) -> None:
    with pytest.raises(DocumentError, match=r"looks like Clearinghouse JSON or Toy Bugs 1\.0"):
        read_document(json.dumps({"toy": [], "reports": []}).encode())
    # Named, it is read as that format.
    assert read_document(toys({"bug": "x"}), declared="toy").format == "toy"


def test_a_name_that_does_not_fit_the_stored_column_is_refused() -> None:
    class Long(ToyReader):
        name = "much-too-long-name"

    with pytest.raises(ValueError, match="at most 10 characters"):
        register(Long)


def test_a_format_is_registered_once(toy: None) -> None:
    with pytest.raises(ValueError, match="registered twice"):
        register(ToyReader)


def test_format_names_only_registered_formats() -> None:
    assert Format("csaf").label == "CSAF 2.0"
    with pytest.raises(ValueError, match="must be one of csaf, cve5, native, osv, sarif"):
        Format("stix")


@pytest.mark.django_db
def test_a_registered_format_goes_through_the_api_end_to_end(toy: None, cast, api_as) -> None:
    from clearinghouse.intake.models import Report

    client = api_as(cast["lab1"])
    url = "/api/intake/submissions"
    created = client.post(url, toys({"bug": "heap overflow"}), content_type="application/json")
    assert created.status_code == 201, created.content
    assert created.json()["format"] == "toy"
    assert Report.objects.get().source_format == "toy"
    listed = client.get("/api/intake/reports?source=toy").json()
    assert [report["title"] for report in listed["items"]] == ["heap overflow"]
    refused = client.post(url, toys({"bug": 7}), content_type="application/json")
    assert refused.status_code == 422
    (entry,) = refused.json()["detail"]
    assert (entry["format"], entry["item"], entry["pointer"]) == ("toy", 0, "/toy/0/bug")
