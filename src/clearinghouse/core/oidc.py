"""OpenID Connect sign-in rules that the client library leaves to us, kept free of Django.

mozilla-django-oidc 5.0.2 has no discovery and checks only an ID token's signature (and its
nonce): it never compares `iss` or `aud`, so a token the provider issued to another client
(or one from another issuer sharing its keys) would be accepted. These functions are the
checks it lacks, plus how a provider's claims map to a Clearinghouse organisation and role:

- `read_discovery`: the provider's ``/.well-known/openid-configuration`` must name the
  configured issuer exactly (OpenID Connect Discovery §4.3) and the endpoints sign-in needs.
- `check_id_token`: issuer, audience (and `azp` when there are several), expiry, issue time
  and nonce of a token whose signature was already verified.
- `map_claims`: organisation and role from the claims the operator named; a role not in the
  allowed list is refused, never created.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "ClientSettings",
    "ProviderConfiguration",
    "SignInClaims",
    "SignInRefused",
    "check_id_token",
    "map_claims",
    "read_discovery",
    "userinfo_subject_matches",
]

_USERNAME = re.compile(r"[^\w.@+-]")


@dataclass(frozen=True)
class ClientSettings:
    """This instance as the provider's client (`CLEARINGHOUSE_OIDC_*`, docs/security.md)."""

    issuer: str = ""  # empty: single sign-on is off
    client_id: str = ""
    client_secret: str = ""
    organisation_claim: str = "organisation"
    role_claim: str = "role"
    allowed_roles: tuple[str, ...] = ("reviewer", "coordinator")
    label: str = "Sign in with your government account"

    @property
    def enabled(self) -> bool:
        """Whether a provider is configured (issuer and client id)."""
        return bool(self.issuer and self.client_id)


class SignInRefused(Exception):
    """A sign-in the provider vouched for that we refuse; the message is shown to the person."""


@dataclass(frozen=True)
class ProviderConfiguration:
    """What sign-in needs from the provider's discovery document."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    userinfo_endpoint: str
    jwks_uri: str


def read_discovery(document: Mapping[str, Any], issuer: str) -> ProviderConfiguration:
    """The endpoints of a discovery document that belongs to `issuer`, else SignInRefused.

    The document's `issuer` must be the configured one character for character: a provider
    answering for another issuer would mint tokens we then check against the wrong name.
    """
    if document.get("issuer") != issuer:
        raise SignInRefused(
            f"the provider's discovery document names the issuer {document.get('issuer')!r}, "
            f"not the configured {issuer!r}"
        )
    endpoints = {}
    for name in ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri"):
        value = document.get(name)
        if not isinstance(value, str) or not value:
            raise SignInRefused(f"the provider's discovery document has no {name}")
        endpoints[name] = value
    return ProviderConfiguration(issuer=issuer, **endpoints)


def check_id_token(
    claims: Mapping[str, Any],
    *,
    issuer: str,
    client_id: str,
    nonce: str | None,
    now: float,
    leeway: float = 60,
) -> None:
    """Raise SignInRefused unless a (signature-checked) ID token is meant for this sign-in.

    OpenID Connect Core §3.1.3.7: `iss` is the issuer, `aud` contains our client id (and
    with several audiences, `azp` is us), `exp` is in the future and `iat` not in it (both
    within `leeway` seconds of clock skew), and `nonce` is the one this browser was sent
    with, so a token captured from another sign-in cannot be replayed.
    """
    if claims.get("iss") != issuer:
        raise SignInRefused(f"the ID token was issued by {claims.get('iss')!r}, not {issuer!r}")
    audience = claims.get("aud")
    audiences = [audience] if isinstance(audience, str) else audience
    if not isinstance(audiences, list) or client_id not in audiences:
        raise SignInRefused("the ID token was issued to another client (audience)")
    if len(audiences) > 1 and claims.get("azp") != client_id:
        raise SignInRefused("the ID token was issued to another client (authorized party)")
    expires, issued = _number(claims.get("exp")), _number(claims.get("iat"))
    if expires is None or now > expires + leeway:
        raise SignInRefused("the ID token has expired")
    if issued is None or issued > now + leeway:
        raise SignInRefused("the ID token is dated in the future")
    if not nonce or claims.get("nonce") != nonce:
        raise SignInRefused("the ID token does not belong to this sign-in (nonce)")
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise SignInRefused("the ID token names no subject")


def userinfo_subject_matches(id_token: Mapping[str, Any], userinfo: Mapping[str, Any]) -> None:
    """The userinfo answer is about the person the ID token names (OIDC Core §5.3.2)."""
    if userinfo.get("sub") != id_token.get("sub"):
        raise SignInRefused("the provider's user information is about another person")


def _number(value: object) -> float | None:
    """A JSON number as a float; None for anything else (a string, true)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


@dataclass(frozen=True)
class SignInClaims:
    """A person as the provider describes them, mapped to our terms."""

    issuer: str
    subject: str
    organisation: str
    role: str
    username: str
    email: str


def map_claims(
    claims: Mapping[str, Any],
    *,
    issuer: str,
    organisation_claim: str,
    role_claim: str,
    allowed_roles: Collection[str],
) -> SignInClaims:
    """Organisation and role from the named claims, or SignInRefused saying what is missing.

    Whether the organisation exists, and whether the role fits its kind, is the database's
    to say (`accounts.services.sign_in_from_provider`).
    """
    organisation = claims.get(organisation_claim)
    if not isinstance(organisation, str) or not organisation.strip():
        raise SignInRefused(f"your account names no organisation (claim {organisation_claim!r})")
    role = claims.get(role_claim)
    if not isinstance(role, str) or not role.strip():
        raise SignInRefused(f"your account names no role (claim {role_claim!r})")
    if role not in allowed_roles:
        raise SignInRefused(f"the role {role!r} may not sign in through the provider here")
    subject = str(claims["sub"])
    preferred = claims.get("preferred_username")
    username = _USERNAME.sub("", preferred)[:100] if isinstance(preferred, str) else ""
    email = claims.get("email")
    return SignInClaims(
        issuer=issuer,
        subject=subject,
        organisation=organisation.strip(),
        role=role,
        username=username,
        email=email if isinstance(email, str) and len(email) <= 254 else "",
    )
