"""Authentication backends: passwords (refused everywhere when turned off) and single sign-on.

Both come after django-axes' backend in `AUTHENTICATION_BACKENDS`, so a locked-out sign-in
is refused before either looks at it.
"""

from __future__ import annotations

import time
from typing import Any

import jwt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import HttpRequest
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from clearinghouse.core.oidc import (
    ProviderConfiguration,
    SignInRefused,
    check_id_token,
    map_claims,
    userinfo_subject_matches,
)

from .models import User
from .oidc import call, json_from, provider, single_sign_on
from .services import sign_in_from_provider

#: Where the single sign-on backend leaves its refusal for the callback page to show.
REFUSAL = "clearinghouse_sign_in_refusal"
#: Set on a callback whose person the provider signed in, refused by our claim mapping.
VOUCHED_FOR = "clearinghouse_refused_after_the_provider_vouched"


def refused_after_the_provider_vouched(request: HttpRequest, credentials: object) -> bool:
    """django-axes' `AXES_WHITELIST_CALLABLE`: such a refusal is not a failed sign-in.

    The provider checked the person's secret and throttles guesses itself; refusing their
    claims (no organisation or role here) guesses nothing, and counting it would lock every
    person behind the same address out of single sign-on. Axes asks this before the
    backends run too (to refuse a locked-out sign-in), when it is never set yet.
    """
    return bool(getattr(request, VOUCHED_FOR, False))


class PasswordBackend(ModelBackend):
    """Django's username and password check, unless `CLEARINGHOUSE_PASSWORD_SIGNIN` is off.

    Off, a password is refused here, for every form that asks for one (our sign-in page and
    `/admin/login/` alike): PermissionDenied stops Django from asking any later backend, and
    counts as a failed sign-in for django-axes. Hiding the form alone would leave the admin
    site's open.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if password is not None and not settings.CLEARINGHOUSE_PASSWORD_SIGNIN:
            raise PermissionDenied("password sign-in is turned off")
        user = super().authenticate(request, username, password, **kwargs)
        return user if isinstance(user, User) else None


class ProviderBackend(OIDCAuthenticationBackend):  # type: ignore[misc]
    """mozilla-django-oidc's code flow, with what 5.0.2 lacks: discovery, the outbound policy,
    and the ID token's issuer, audience and expiry checked (it checks only signature and nonce).

    A refusal (unmapped claims, a token for another client, an unreachable provider) is left
    on the request for the callback page, which tells the person why.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Not the library's __init__: it reads endpoint settings that come from discovery
        # here, and Django builds the backends for every sign-in, passwords included.
        config = settings.CLEARINGHOUSE_OIDC
        self.UserModel = get_user_model()
        self.OIDC_RP_CLIENT_ID = config.client_id
        self.OIDC_RP_CLIENT_SECRET = config.client_secret
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = None

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> User | None:
        """Sign in from the provider's callback (a request with `code` and `state`)."""
        if request is None or not single_sign_on():
            return None
        if "code" not in request.GET or "state" not in request.GET:
            return None
        try:
            self.provider: ProviderConfiguration = provider()
            self.OIDC_OP_TOKEN_ENDPOINT = self.provider.token_endpoint
            self.OIDC_OP_USER_ENDPOINT = self.provider.userinfo_endpoint
            self.OIDC_OP_JWKS_ENDPOINT = self.provider.jwks_uri
            user: User | None = super().authenticate(request, **kwargs)
            return user
        except SignInRefused as refusal:
            setattr(request, REFUSAL, str(refusal))
            return None
        except (SuspiciousOperation, jwt.PyJWTError):
            setattr(request, REFUSAL, "the provider's answer could not be verified")
            return None

    def get_user(self, user_id: int) -> User | None:
        """Django's rule for sessions (inactive users are signed out), not the library's."""
        user = ModelBackend.get_user(self, user_id)
        return user if isinstance(user, User) else None

    def get_token(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Exchange the code at the token endpoint (client_secret_basic, the OIDC default)."""
        client_id, secret = payload.pop("client_id"), payload.pop("client_secret")
        response = call("POST", self.OIDC_OP_TOKEN_ENDPOINT, data=payload, auth=(client_id, secret))
        return json_from(response)

    def retrieve_matching_jwk(self, token: str) -> jwt.PyJWK:
        """The provider's key that signed `token`: same key id and, where stated, algorithm."""
        header = jwt.get_unverified_header(token)
        for key in json_from(call("GET", self.OIDC_OP_JWKS_ENDPOINT)).get("keys", []):
            if (
                key.get("kid") == header.get("kid")
                and key.get("alg", header["alg"]) == (header["alg"])
            ):
                return jwt.PyJWK(key)
        raise SignInRefused("the ID token is signed with a key the provider does not publish")

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        """The ID token's claims: signature, then issuer, audience, expiry and nonce."""
        if not isinstance(token, str) or not token:
            raise SignInRefused("the provider sent no ID token")
        algorithm = jwt.get_unverified_header(token).get("alg")
        if algorithm != self.OIDC_RP_SIGN_ALGO:
            raise SignInRefused(f"the ID token is signed with {algorithm}, not the configured one")
        claims: dict[str, Any] = jwt.decode(
            token,
            self.retrieve_matching_jwk(token),
            algorithms=[self.OIDC_RP_SIGN_ALGO],
            # the claims are checked next, in one place (core.oidc), leeway included
            options={
                "verify_aud": False,
                "verify_iss": False,
                "verify_exp": False,
                "verify_iat": False,
                "verify_nbf": False,
            },
        )
        check_id_token(
            claims,
            issuer=self.provider.issuer,
            client_id=self.OIDC_RP_CLIENT_ID,
            nonce=kwargs.get("nonce"),
            now=time.time(),
        )
        return claims

    def get_userinfo(
        self, access_token: str, id_token: str, payload: dict[str, Any]
    ) -> dict[str, Any]:
        """The person's claims from the userinfo endpoint (JSON; signed answers are refused)."""
        response = call(
            "GET",
            self.OIDC_OP_USER_ENDPOINT,
            headers={"Authorization": f"Bearer {access_token}"},
        )
        return json_from(response)

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> User:
        """The user linked to (issuer, subject), created or updated from the mapped claims."""
        userinfo = self.get_userinfo(access_token, id_token, payload)
        userinfo_subject_matches(payload, userinfo)
        config = settings.CLEARINGHOUSE_OIDC
        try:
            claims = map_claims(
                {**payload, **userinfo},
                issuer=self.provider.issuer,
                organisation_claim=config.organisation_claim,
                role_claim=config.role_claim,
                allowed_roles=config.allowed_roles,
            )
            return sign_in_from_provider(claims)
        except SignInRefused:
            setattr(self.request, VOUCHED_FOR, True)  # the tokens checked out: not a guess
            raise
