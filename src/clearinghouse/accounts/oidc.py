"""The single sign-on provider: its configuration (discovered) and every call made to it.

mozilla-django-oidc calls the provider with `requests`, straight to whatever URL its settings
name; here every call (discovery, token, keys, user information) goes through the outbound
policy's client (`clearinghouse.core.egress`), so a provider on an internal address works only
when `CLEARINGHOUSE_OUTBOUND_ALLOW` names it, and redirects are not followed.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import httpx2
from django.conf import settings

from clearinghouse.core import egress
from clearinghouse.core.oidc import ProviderConfiguration, SignInRefused, read_discovery

logger = logging.getLogger(__name__)

#: How long a discovery document is trusted before it is fetched again (keys rotate).
DISCOVERY_SECONDS = 3600
UNREACHABLE = "the sign-in provider could not be reached; try again later"

_discovered: dict[str, tuple[float, ProviderConfiguration]] = {}
_lock = threading.Lock()


def single_sign_on() -> bool:
    """Whether an OpenID Connect provider is configured (issuer and client id)."""
    return bool(settings.CLEARINGHOUSE_OIDC.enabled)


def call(method: str, url: str, **options: Any) -> httpx2.Response:
    """One request to the provider through the outbound policy; any failure is a refusal.

    The detail (which address, which status) goes to the log for the operator; the person
    signing in is told only that the provider could not be reached.
    """
    try:
        with egress.client(settings.CLEARINGHOUSE_OUTBOUND_ALLOW, settings.OIDC_TIMEOUT) as http:
            response = http.request(method, url, **options)
            response.raise_for_status()
            return response
    except (egress.Refused, httpx2.HTTPError) as error:
        logger.warning("single sign-on: %s %s failed: %s", method, url, error)
        raise SignInRefused(UNREACHABLE) from None


def json_from(response: httpx2.Response) -> dict[str, Any]:
    """The provider's JSON object answer, or a refusal."""
    try:
        document = response.json()
    except ValueError:
        document = None
    if not isinstance(document, dict):
        logger.warning("single sign-on: %s answered something other than JSON", response.url)
        raise SignInRefused(UNREACHABLE)
    return document


def provider() -> ProviderConfiguration:
    """The configured provider's endpoints, from its discovery document (kept an hour).

    The issuer must be an https URL, or one the outbound allow-list names (a provider inside
    the network); the document must name that issuer exactly.
    """
    issuer = settings.CLEARINGHOUSE_OIDC.issuer
    with _lock:
        kept = _discovered.get(issuer)
    if kept is not None and kept[0] > time.monotonic():
        return kept[1]
    try:
        base = egress.check_url(issuer, settings.CLEARINGHOUSE_OUTBOUND_ALLOW)
    except ValueError as error:
        logger.warning("single sign-on: the issuer %s %s", issuer, error)
        raise SignInRefused(UNREACHABLE) from None
    document = json_from(call("GET", base + "/.well-known/openid-configuration"))
    try:
        configuration = read_discovery(document, issuer)
    except SignInRefused as refusal:
        logger.warning("single sign-on: %s", refusal)
        raise SignInRefused(UNREACHABLE) from None
    with _lock:
        _discovered[issuer] = (time.monotonic() + DISCOVERY_SECONDS, configuration)
    return configuration
