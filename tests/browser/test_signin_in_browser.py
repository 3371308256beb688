"""Government sign-in in Chromium: through a real local OpenID Connect provider, then TOTP."""

from __future__ import annotations

import time
from base64 import b32decode, b32encode
from collections.abc import Iterator
from typing import Any

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from clearinghouse.accounts.models import ProviderIdentity, User
from clearinghouse.audit.models import AuditEvent
from clearinghouse.core.egress import Allowlist
from clearinghouse.core.oidc import ClientSettings
from tests.conftest import PASSWORD
from tests.oidc.provider import CLIENT_ID, CLIENT_SECRET, RunningProvider, running_provider

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ACCOUNTS = {
    "rivera": {
        "preferred_username": "rivera",
        "email": "rivera@agency.example",
        "organisation": "Cyber Agency",
        "role": "reviewer",
    },
    "stranger": {"preferred_username": "stranger", "organisation": "Nowhere", "role": "reviewer"},
}


@pytest.fixture(scope="module")
def provider(live_server: Any) -> Iterator[RunningProvider]:
    with running_provider(f"{live_server.url}/account/sso/callback/", ACCOUNTS) as running:
        yield running


@pytest.fixture
def sign_on(settings: Any, provider: RunningProvider) -> None:
    settings.CLEARINGHOUSE_OIDC = ClientSettings(
        issuer=provider.issuer, client_id=CLIENT_ID, client_secret=CLIENT_SECRET
    )
    settings.CLEARINGHOUSE_OUTBOUND_ALLOW = Allowlist.parse(f"127.0.0.1:{provider.port}")


def _through_provider(page: Any, login: str) -> None:
    page.goto("/account/login/")
    page.get_by_test_id("single-sign-on").click()
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", "any password")
    page.click("button[type=submit]")


def _code(secret: str) -> str:
    """The authenticator app's code now (RFC 6238: 30 s steps, 6 digits), from the base32 key."""
    clock = TOTP(b32decode(secret), step=30, t0=0, digits=6)
    clock.time = time.time()
    return f"{clock.token():06d}"


def _wrong_code_then_the_right_one(page: Any, secret: str) -> None:
    """A wrong code is refused on the page; the authenticator's current one is accepted."""
    right = _code(secret)
    page.fill("#id_code", "000000" if right != "000000" else "111111")
    page.click("#main-content button[type=submit]")
    assert "not right" in page.get_by_test_id("code-refused").inner_text()
    time.sleep(1.2)  # django-otp's throttle waits a second after one wrong code
    page.fill("#id_code", _code(secret))
    page.click("#main-content button[type=submit]")


def test_a_government_account_signs_in_as_its_mapped_role_then_sets_up_totp(
    page, sign_on, org, settings
):
    settings.CLEARINGHOUSE_TOTP_REQUIRED = True
    agency = org("Cyber Agency", "agency")
    _through_provider(page, "rivera")
    page.wait_for_url("**/account/second-factor/enrol/**")  # a reviewer: TOTP first
    assert page.get_by_test_id("totp-qr").evaluate("img => img.naturalWidth") > 0
    secret = page.get_by_test_id("totp-secret").inner_text()
    _wrong_code_then_the_right_one(page, secret)
    page.wait_for_url(lambda url: url.endswith("/"))
    assert page.locator("h1").inner_text() == "Dashboard"
    assert page.get_by_test_id("organisation").inner_text() == "Cyber Agency"
    identity = ProviderIdentity.objects.select_related("user").get(subject="rivera")
    assert identity.issuer == settings.CLEARINGHOUSE_OIDC.issuer
    user = identity.user
    assert (user.username, user.role, user.organisation) == ("rivera", "reviewer", agency)
    assert not user.has_usable_password()
    assert TOTPDevice.objects.get(user=user).confirmed
    assert AuditEvent.objects.filter(action="second_factor.enrolled").count() == 1


def test_claims_that_map_to_no_organisation_are_refused_with_the_reason(page, sign_on, org):
    org("Cyber Agency", "agency")
    _through_provider(page, "stranger")
    refusal = page.get_by_test_id("sign-in-refused").inner_text()
    assert "'Nowhere' is not registered here" in refusal
    assert not User.objects.filter(username__startswith="stranger").exists()
    assert not ProviderIdentity.objects.exists()


def test_a_wrong_code_is_refused_and_the_current_one_lets_a_coordinator_in(
    page, settings, org, user_in
):
    settings.CLEARINGHOUSE_TOTP_REQUIRED = True
    coordinator = user_in("coordinator", org("Clearinghouse", "clearinghouse"))
    device = TOTPDevice.objects.create(user=coordinator, name="phone", confirmed=True)
    secret = b32encode(device.bin_key).decode()
    page.goto("/account/login/")
    page.fill("#id_username", coordinator.username)
    page.fill("#id_password", PASSWORD)
    page.click("#main-content button[type=submit]")
    page.wait_for_url("**/account/second-factor/?next=**")
    page.goto("/account/tokens/")  # any page sends an unverified coordinator back
    page.wait_for_url("**/account/second-factor/?next=**")
    _wrong_code_then_the_right_one(page, secret)
    page.wait_for_url("**/account/tokens/")
    assert page.locator("h1").inner_text() == "API tokens"


def test_refused_claims_do_not_count_toward_the_sign_in_lockout(page, sign_on, org, settings):
    """The provider vouched for the person each time: no guess at a secret to throttle, and
    counting it would lock everyone behind that address out of single sign-on."""
    from axes.models import AccessAttempt

    settings.AXES_FAILURE_LIMIT = 2
    org("Cyber Agency", "agency")
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        page.context.clear_cookies()  # a fresh sign-in at the provider each time
        _through_provider(page, "stranger")
        assert "is not registered here" in page.get_by_test_id("sign-in-refused").inner_text()
    assert not AccessAttempt.objects.exists()
    page.context.clear_cookies()
    _through_provider(page, "rivera")
    page.wait_for_url(lambda url: url.endswith("/"))
    assert page.get_by_test_id("organisation").inner_text() == "Cyber Agency"
