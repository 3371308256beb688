"""The ID-token and discovery checks mozilla-django-oidc 5.0.2 leaves out, and claim mapping."""

from __future__ import annotations

import re
from typing import Any

import pytest

from clearinghouse.core.oidc import (
    SignInRefused,
    check_id_token,
    map_claims,
    read_discovery,
    userinfo_subject_matches,
)

ISSUER = "https://login.agency.example"
NOW = 1_800_000_000.0


def _token(**overrides: Any) -> dict[str, Any]:
    claims = {
        "iss": ISSUER,
        "aud": "clearinghouse",
        "sub": "person-1",
        "exp": NOW + 300,
        "iat": NOW - 5,
        "nonce": "n-1",
    }
    return {key: value for key, value in (claims | overrides).items() if value is not None}


def _check(claims: dict[str, Any], nonce: str | None = "n-1") -> None:
    check_id_token(claims, issuer=ISSUER, client_id="clearinghouse", nonce=nonce, now=NOW)


def test_a_token_for_this_sign_in_passes() -> None:
    _check(_token())
    _check(_token(aud=["clearinghouse", "other"], azp="clearinghouse"))


@pytest.mark.parametrize(
    ("overrides", "nonce", "reason"),
    [
        ({"iss": "https://evil.example"}, "n-1", "issued by 'https://evil.example'"),
        ({"iss": ISSUER + "/"}, "n-1", "issued by"),
        ({"aud": "another-client"}, "n-1", "another client (audience)"),
        ({"aud": ["another-client"]}, "n-1", "another client (audience)"),
        ({"aud": ["clearinghouse", "x"]}, "n-1", "authorized party"),
        ({"aud": ["clearinghouse", "x"], "azp": "x"}, "n-1", "authorized party"),
        ({"exp": NOW - 61}, "n-1", "expired"),
        ({"exp": "soon"}, "n-1", "expired"),
        ({"iat": NOW + 120}, "n-1", "in the future"),
        ({"nonce": "n-2"}, "n-1", "nonce"),
        ({}, None, "nonce"),
        ({"sub": ""}, "n-1", "no subject"),
    ],
)
def test_a_token_not_meant_for_this_sign_in_is_refused(
    overrides: dict[str, Any], nonce: str | None, reason: str
) -> None:
    with pytest.raises(SignInRefused, match=re.escape(reason)):
        _check(_token(**overrides), nonce)


def test_clock_skew_within_the_leeway_is_accepted() -> None:
    _check(_token(exp=NOW - 30, iat=NOW + 30))


def test_discovery_must_name_the_configured_issuer_exactly() -> None:
    document = {
        "issuer": ISSUER,
        "authorization_endpoint": ISSUER + "/auth",
        "token_endpoint": ISSUER + "/token",
        "userinfo_endpoint": ISSUER + "/me",
        "jwks_uri": ISSUER + "/jwks",
    }
    assert read_discovery(document, ISSUER).token_endpoint == ISSUER + "/token"
    with pytest.raises(SignInRefused, match=re.escape("names the issuer 'https://other.example'")):
        read_discovery(document | {"issuer": "https://other.example"}, ISSUER)
    with pytest.raises(SignInRefused, match="no jwks_uri"):
        read_discovery({k: v for k, v in document.items() if k != "jwks_uri"}, ISSUER)


def test_userinfo_about_another_person_is_refused() -> None:
    userinfo_subject_matches({"sub": "a"}, {"sub": "a"})
    with pytest.raises(SignInRefused, match="another person"):
        userinfo_subject_matches({"sub": "a"}, {"sub": "b"})


def _map(claims: dict[str, Any]) -> Any:
    return map_claims(
        {"sub": "person-1"} | claims,
        issuer=ISSUER,
        organisation_claim="org",
        role_claim="groups_role",
        allowed_roles=("reviewer", "coordinator"),
    )


def test_claims_map_to_organisation_and_role() -> None:
    mapped = _map({"org": " Cyber Agency ", "groups_role": "reviewer", "preferred_username": "r v"})
    assert (mapped.organisation, mapped.role, mapped.subject) == (
        "Cyber Agency",
        "reviewer",
        "person-1",
    )
    assert mapped.username == "rv"  # only characters Django's usernames allow


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        ({"groups_role": "reviewer"}, "names no organisation"),
        ({"org": "Cyber Agency"}, "names no role"),
        ({"org": "Cyber Agency", "groups_role": "admin"}, "'admin' may not sign in"),
        ({"org": ["Cyber Agency"], "groups_role": "reviewer"}, "names no organisation"),
    ],
)
def test_unmapped_claims_are_refused(claims: dict[str, Any], reason: str) -> None:
    with pytest.raises(SignInRefused, match=reason):
        _map(claims)
