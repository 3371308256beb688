"""API tokens are shown once, stored only as a hash, and stop working when revoked."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client

from clearinghouse.accounts.models import ApiToken

pytestmark = pytest.mark.django_db


def test_token_issued_through_the_api_works_and_is_stored_hashed(cast, pages_as):
    response = pages_as(cast["lab1"]).post(
        "/api/accounts/tokens", {"name": "ci"}, content_type="application/json"
    )
    assert response.status_code == 201
    secret = response.json()["token"]
    assert secret.startswith("chk_")
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, digest, hint FROM accounts_apitoken")
        rows = cursor.fetchall()
    assert all(secret not in " ".join(row) for row in rows)
    me = Client(headers={"Authorization": f"Bearer {secret}"}).get("/api/accounts/me")
    assert me.json()["username"] == cast["lab1"].username
    listed = pages_as(cast["lab1"]).get("/api/accounts/tokens").json()["items"]
    assert all("token" not in item for item in listed)


def test_revoked_and_unknown_tokens_are_refused(cast, pages_as):
    client = pages_as(cast["lab1"])
    issued = client.post("/api/accounts/tokens", {"name": "x"}, content_type="application/json")
    secret, token_id = issued.json()["token"], issued.json()["id"]
    assert client.delete(f"/api/accounts/tokens/{token_id}").status_code == 204
    for bearer in (secret, "chk_not-a-token", "garbage"):
        response = Client(headers={"Authorization": f"Bearer {bearer}"}).get("/api/accounts/me")
        assert response.status_code == 401
    assert ApiToken.objects.get(pk=token_id).revoked_at is not None


def test_token_page_shows_the_secret_only_once(cast, pages_as):
    client = pages_as(cast["operator"])
    first = client.post("/account/tokens/", {"name": "laptop"}).content.decode()
    token = ApiToken.objects.get(user=cast["operator"])
    assert 'data-testid="new-token"' in first
    again = client.get("/account/tokens/").content.decode()
    assert 'data-testid="new-token"' not in again
    assert token.hint in again


def test_session_api_writes_need_the_csrf_token(cast):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast["lab1"])
    response = client.post("/api/accounts/tokens", {"name": "x"}, content_type="application/json")
    assert response.status_code == 403
    assert not ApiToken.objects.exists()
