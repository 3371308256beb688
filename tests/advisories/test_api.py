"""Advisories are reference data for every signed-in user; the export feeds the offline scanner."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.test import Client

from clearinghouse.advisories.services import import_osv
from clearinghouse.core.formats.osv import read_osv

from .conftest import osv_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def feed(write_osv):
    withdrawn = osv_record("PYSEC-W", "gone") | {"withdrawn": "2024-06-01T00:00:00Z"}
    import_osv(
        write_osv(
            osv_record("PYSEC-1", "alpha", database_specific={"severity": "MODERATE"}),
            osv_record(
                "PYSEC-2",
                "beta",
                severity=[
                    {"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}
                ],
            ),
            withdrawn,
        )
    )


def test_every_role_reads_advisories_and_anonymous_visitors_none(cast, api_as, feed):
    for user in cast.values():
        body = api_as(user).get("/api/advisories/").json()
        assert {item["id"] for item in body["items"]} == {"PYSEC-1", "PYSEC-2", "PYSEC-W"}
        assert body["count"] == 3
    assert Client().get("/api/advisories/").status_code == 401
    assert Client().get("/advisories/").status_code == 302  # to the sign-in page


def test_severity_comes_from_the_database_rating_or_the_cvss_vector(cast, api_as, feed):
    client = api_as(cast["operator"])
    assert client.get("/api/advisories/PYSEC-1").json()["severity"] == "medium"
    assert client.get("/api/advisories/PYSEC-2").json()["severity"] == "critical"
    beta = client.get("/api/advisories/?ecosystem=PyPI&package=beta").json()
    assert [item["id"] for item in beta["items"]] == ["PYSEC-2"]
    assert client.get("/api/advisories/PYSEC-404").status_code == 404


def test_the_export_is_an_osv_zip_the_reader_takes_back_unchanged(cast, api_as, feed, tmp_path):
    response = api_as(cast["vendor"]).get("/api/advisories/export")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    data = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert sorted(archive.namelist()) == ["PYSEC-1.json", "PYSEC-2.json", "PYSEC-W.json"]
    path = tmp_path / "export.zip"
    path.write_bytes(data)
    read = {advisory.id: advisory for advisory in read_osv(path)}
    assert read["PYSEC-1"].raw == osv_record(
        "PYSEC-1", "alpha", database_specific={"severity": "MODERATE"}
    )
    assert read["PYSEC-W"].is_withdrawn
    assert Client().get("/api/advisories/export").status_code == 401


def test_the_pages_list_and_show_advisories(cast, pages_as, feed):
    client = pages_as(cast["lab1"])
    listing = client.get("/advisories/?package=alpha").content.decode()
    assert "PYSEC-1" in listing and "PYSEC-2" not in listing
    detail = client.get("/advisories/PYSEC-W/").content.decode()
    assert "Withdrawn" in detail and "Impact on operators" not in detail
    assert (
        "Impact on operators"
        in pages_as(cast["coordinator"]).get("/advisories/PYSEC-1/").content.decode()
    )
