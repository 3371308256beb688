"""Access credentials are sealed: never in a response, a page, a log line or a database column."""

from __future__ import annotations

import logging

import pytest
from django.apps import apps
from django.db import connection

from clearinghouse.audit.models import AuditEvent
from clearinghouse.reviews.models import AccessGrant
from clearinghouse.reviews.services import usable_grant
from clearinghouse.sealed import reveal

from .conftest import post

pytestmark = pytest.mark.django_db
SECRET = "sk-live-7d1f0c0ffee5ecret9a8b"


def every_text_in_the_database() -> str:
    chunks = []
    with connection.cursor() as cursor:
        for model in apps.get_models():
            table = model._meta.db_table
            columns = [f.column for f in model._meta.concrete_fields]
            names = ", ".join(connection.ops.quote_name(c) for c in columns)
            cursor.execute(f"SELECT {names} FROM {table}")  # noqa: S608  (our own table names)
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, memoryview | bytes):
                        value = bytes(value).decode("latin-1")
                    chunks.append(str(value))
    return "\n".join(chunks)


def test_the_key_is_sealed_everywhere_and_only_the_worker_can_reveal_it(
    people, under_review, api_as, pages_as, caplog
):
    caplog.set_level(logging.DEBUG)
    lab = api_as(people["lab1"])
    response = post(
        lab,
        f"/api/reviews/notices/{under_review['id']}/access-grants",
        {
            "kind": "openai_compatible",
            "base_url": "https://models.example.org/v1",
            "model": "frontier-1",
            "api_key": SECRET,
        },
    )
    assert response.status_code == 201
    assert SECRET not in response.content.decode()
    assert response.json()["secret_fingerprint"].startswith("hmac:")
    pages = [
        pages_as(user).get(f"/reviews/notices/{under_review['id']}/").content.decode()
        for user in (people["lab1"], people["ns_reviewer"], people["admin"])
    ]
    apis = [
        api_as(user).get(f"/api/reviews/notices/{under_review['id']}").content.decode()
        for user in (people["lab1"], people["ns_reviewer"])
    ]
    for text in (*pages, *apis, every_text_in_the_database(), caplog.text):
        assert SECRET not in text
    assert response.json()["secret_fingerprint"] in pages[1]
    grant = AccessGrant.objects.get()
    assert grant.secret_ciphertext is not None
    assert reveal(grant.secret_ciphertext) == SECRET
    assert usable_grant(grant.notice) == grant


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"kind": "openai_compatible", "base_url": "ftp://x", "model": "m", "api_key": "k"},
            "http(s)",
        ),
        (
            {"kind": "openai_compatible", "base_url": "not a url", "model": "m", "api_key": "k"},
            "http(s)",
        ),
        (
            {
                "kind": "openai_compatible",
                "base_url": "http://models.example.org",
                "model": "m",
                "api_key": "k",
            },
            "https",
        ),
        (
            {
                "kind": "openai_compatible",
                "base_url": "https://u:p@models.example.org",
                "model": "m",
                "api_key": "k",
            },
            "credentials",
        ),
        (
            {"kind": "openai_compatible", "base_url": "https://models.example.org", "model": "m"},
            "api_key",
        ),
        ({"kind": "inspect_provider", "model": "no-provider"}, "provider/model"),
        ({"kind": "carrier_pigeon", "model": "m"}, "openai_compatible"),
    ],
)
def test_malformed_grants_are_refused_and_nothing_is_stored(
    people, submitted, api_as, body, message
):
    response = post(
        api_as(people["lab1"]), f"/api/reviews/notices/{submitted['id']}/access-grants", body
    )
    assert response.status_code == 422
    assert message in str(response.json()["detail"])
    assert not AccessGrant.objects.exists()


def test_grant_expires_after_release_plus_grace_and_revocation_is_audited(
    people, submitted, api_as
):
    lab = api_as(people["lab1"])
    grant = post(
        lab,
        f"/api/reviews/notices/{submitted['id']}/access-grants",
        {"kind": "inspect_provider", "model": "hf/example/tiny-model"},
    ).json()
    assert grant["expires_at"][:10] > submitted["planned_release_date"]
    assert (
        api_as(people["lab2"]).delete(f"/api/reviews/access-grants/{grant['id']}").status_code
        == 404
    )
    assert lab.delete(f"/api/reviews/access-grants/{grant['id']}").status_code == 200
    assert lab.delete(f"/api/reviews/access-grants/{grant['id']}").status_code == 409
    assert usable_grant(AccessGrant.objects.get().notice) is None
    assert AuditEvent.objects.filter(action="access.revoked").count() == 1
