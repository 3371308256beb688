"""Sign-in settings: passwords off everywhere, discovery through the outbound policy, identities
linked by (issuer, subject), the second factor's gate, and `totp reset`."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from clearinghouse.accounts.models import ProviderIdentity, User
from clearinghouse.accounts.services import sign_in_from_provider
from clearinghouse.audit.models import AuditEvent
from clearinghouse.cli import main
from clearinghouse.core.egress import Allowlist
from clearinghouse.core.oidc import ClientSettings, SignInClaims, SignInRefused
from tests.conftest import PASSWORD
from tests.oidc.provider import CLIENT_ID, CLIENT_SECRET, RunningProvider, running_provider

ISSUER = "https://login.agency.example"


def _claims(**overrides: str) -> SignInClaims:
    values = {
        "issuer": ISSUER,
        "subject": "person-1",
        "organisation": "Agency",
        "role": "reviewer",
        "username": "rivera",
        "email": "rivera@agency.example",
    } | overrides
    return SignInClaims(**values)


def _password_sign_in(client: Client, path: str, user: User) -> Any:
    return client.post(path, {"username": user.username, "password": PASSWORD})


@pytest.mark.parametrize("path", ["/admin/login/", "/account/login/"])
def test_passwords_are_refused_everywhere_when_password_sign_in_is_off(
    path: str, cast: dict[str, User], settings: Any
) -> None:
    admin = cast["admin"]
    assert _password_sign_in(Client(), path, admin).status_code == 302  # on: signs in
    settings.CLEARINGHOUSE_PASSWORD_SIGNIN = False
    client = Client()
    response = _password_sign_in(client, path, admin)
    assert response.status_code == 200  # the form again, with its error
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302  # still sent to sign in


def test_the_sign_in_page_hides_the_password_form_when_it_is_off(db: None, settings: Any) -> None:
    settings.CLEARINGHOUSE_PASSWORD_SIGNIN = False
    page = Client().get("/account/login/").content.decode()
    assert 'name="password"' not in page
    assert "Sign-in with a password is turned off" in page


def test_single_sign_on_is_off_unless_configured(db: None) -> None:
    assert Client().get("/account/sso/start/").status_code == 404
    assert Client().get("/account/sso/callback/?code=x&state=y").status_code == 404
    assert "single-sign-on" not in Client().get("/account/login/").content.decode()


@pytest.fixture
def provider() -> Iterator[RunningProvider]:
    with running_provider("http://localhost/account/sso/callback/", {}) as running:
        yield running


def _configure(settings: Any, issuer: str, allow: str) -> None:
    settings.CLEARINGHOUSE_OIDC = ClientSettings(
        issuer=issuer, client_id=CLIENT_ID, client_secret=CLIENT_SECRET
    )
    settings.CLEARINGHOUSE_OUTBOUND_ALLOW = Allowlist.parse(allow)


def test_discovery_starts_the_sign_in_at_the_providers_endpoint(
    db: None, settings: Any, provider: RunningProvider
) -> None:
    _configure(settings, provider.issuer, f"127.0.0.1:{provider.port}")
    response = Client().get("/account/sso/start/")
    assert response.status_code == 302
    assert response["Location"].startswith(f"{provider.issuer}/auth?")
    assert "code_challenge=" in response["Location"] and "nonce=" in response["Location"]


def test_a_provider_on_an_internal_address_needs_the_outbound_allow_list(
    db: None, settings: Any, provider: RunningProvider, caplog: Any
) -> None:
    _configure(settings, provider.issuer, "")
    with caplog.at_level(logging.WARNING, "clearinghouse.accounts.oidc"):
        response = Client().get("/account/sso/start/")
    assert response.status_code == 403
    assert "could not be reached" in response.content.decode()
    assert "must not point at the server itself" in caplog.text


def test_a_discovery_document_for_another_issuer_is_refused(
    db: None, settings: Any, provider: RunningProvider, caplog: Any
) -> None:
    # The same provider under another name: its document names 127.0.0.1, not localhost.
    _configure(settings, f"http://localhost:{provider.port}", f"localhost:{provider.port}")
    with caplog.at_level(logging.WARNING, "clearinghouse.accounts.oidc"):
        response = Client().get("/account/sso/start/")
    assert response.status_code == 403
    assert f"names the issuer '{provider.issuer}'" in caplog.text


def test_first_sign_in_creates_the_user_and_later_ones_follow_the_claims(
    org: Any, db: None
) -> None:
    agency = org("Agency", "agency")
    clearinghouse = org("Clearinghouse", "clearinghouse")
    user = sign_in_from_provider(_claims())
    assert (user.username, user.role, user.organisation) == ("rivera", "reviewer", agency)
    assert not user.has_usable_password()
    again = sign_in_from_provider(_claims(role="coordinator", organisation="Clearinghouse"))
    assert again.pk == user.pk
    user.refresh_from_db()
    assert (user.role, user.organisation) == ("coordinator", clearinghouse)
    change = AuditEvent.objects.get(action="user.membership_from_provider")
    assert change.object_id == str(user.pk)
    assert '"role":"reviewer"' in change.before and '"role":"coordinator"' in change.after
    assert ProviderIdentity.objects.get().last_signed_in_at is not None


def test_a_local_account_with_the_same_name_and_email_is_never_taken_over(
    cast: dict[str, User],
) -> None:
    local = cast["reviewer"]
    local.email = "rivera@agency.example"
    local.save(update_fields=["email"])
    user = sign_in_from_provider(_claims(username=local.username, organisation="Agency"))
    assert user.pk != local.pk
    assert user.username.startswith(local.username + "-")
    assert ProviderIdentity.objects.get().user == user


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        ({"organisation": "Nowhere"}, "'Nowhere' is not registered here"),
        ({"role": "coordinator"}, "cannot belong to Agency"),
    ],
)
def test_claims_that_do_not_fit_create_nobody(
    org: Any, claims: dict[str, str], reason: str
) -> None:
    org("Agency", "agency")
    before = User.objects.count()
    with pytest.raises(SignInRefused, match=reason):
        sign_in_from_provider(_claims(**claims))
    assert User.objects.count() == before and not ProviderIdentity.objects.exists()


def test_a_deactivated_user_is_refused(org: Any) -> None:
    org("Agency", "agency")
    user = sign_in_from_provider(_claims())
    User.objects.filter(pk=user.pk).update(is_active=False)
    with pytest.raises(SignInRefused, match="deactivated"):
        sign_in_from_provider(_claims())


def test_roles_that_need_totp_reach_no_page_until_verified_but_tokens_work(
    cast: dict[str, User], pages_as: Any, api_as: Any, settings: Any
) -> None:
    settings.CLEARINGHOUSE_TOTP_REQUIRED = True
    for name in ("admin", "coordinator", "reviewer"):
        pages = pages_as(cast[name])
        response = pages.get("/account/tokens/")
        assert response.status_code == 302
        assert response["Location"].startswith("/account/second-factor/enrol/?next=")
        assert pages.get("/api/accounts/me").status_code == 403  # the session, unverified
        assert api_as(cast[name]).get("/api/accounts/me").status_code == 200  # a token
    assert pages_as(cast["lab1"]).get("/account/tokens/").status_code == 200
    settings.CLEARINGHOUSE_TOTP_REQUIRED = False
    assert pages_as(cast["coordinator"]).get("/account/tokens/").status_code == 200


def test_totp_reset_removes_the_authenticator_and_is_audited(
    cast: dict[str, User], capsys: Any
) -> None:
    coordinator = cast["coordinator"]
    TOTPDevice.objects.create(user=coordinator, name="phone", confirmed=True)
    assert main(["totp", "reset", coordinator.username]) == 0
    assert not TOTPDevice.objects.filter(user=coordinator).exists()
    assert AuditEvent.objects.filter(action="second_factor.reset").count() == 1
    capsys.readouterr()
    assert main(["totp", "reset", coordinator.username]) == 2
    assert main(["totp", "reset", "nobody"]) == 2
    errors = capsys.readouterr().err.splitlines()
    assert errors == [
        f"error: {coordinator.username} has no authenticator to reset",
        "error: no user named 'nobody'",
    ]
