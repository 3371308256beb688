"""Account workflow: API tokens (issued once, stored hashed), users created by commands or by
single sign-on, and the TOTP second factor's enrolment and reset."""

from __future__ import annotations

import hashlib

from django.db import IntegrityError, transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from clearinghouse.audit.services import audited, record
from clearinghouse.core.oidc import SignInClaims, SignInRefused
from clearinghouse.errors import Conflict, InvalidInput
from clearinghouse.inputs import parse
from clearinghouse.workflow import locked

from .inputs import CreateUser, IssueToken, NewOrganisation
from .models import (
    ROLE_ORGANISATION_KIND,
    ApiToken,
    Organisation,
    ProviderIdentity,
    Role,
    User,
)
from .permissions import administers_platform, require


def issue_token(user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token for `user`; the secret is returned once and never stored in clear.

    Takes the name alone, parsed here with `IssueToken` (the API's body schema too): every
    test, bench and command that needs a client issues tokens this way.
    """
    require(user, "accounts.issue_token")
    command = parse(IssueToken, {"name": name})
    secret = ApiToken.new_secret()
    with audited():
        token = ApiToken.objects.create(
            user=user,
            name=command.name,
            digest=ApiToken.digest_of(secret),
            hint=secret[: len(ApiToken.PREFIX) + 4],
        )
        record(
            actor=user,
            action="token.issued",
            subject=token,
            after={"name": token.name, "hint": token.hint},
        )
    return token, secret


def revoke_token(user: User, token: ApiToken) -> ApiToken:
    """Revoke one of the user's tokens; it stops working at once."""
    with audited():
        token = locked(token)
        require(user, "accounts.revoke_token", token)
        if token.revoked_at is not None:
            raise Conflict("this token is already revoked")
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record(actor=user, action="token.revoked", subject=token, after={"hint": token.hint})
    return token


def user_for_token(secret: str) -> User | None:
    """The active user a bearer token belongs to, or None for unknown or revoked tokens."""
    if not secret.startswith(ApiToken.PREFIX) or len(secret) > 100:
        return None
    token = (
        ApiToken.objects.select_related("user", "user__organisation")
        .filter(digest=ApiToken.digest_of(secret), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user


def create_user(
    *, username: str, password: str, role: Role, organisation: Organisation | None, email: str = ""
) -> User:
    """Create a user, checking the input (`CreateUser`) and that the role fits the organisation.

    Keyword arguments rather than the command itself: the demo, the benches, the test
    fixtures and `createuser` create users this way; the rules are `CreateUser`'s.
    """
    command = parse(
        CreateUser,
        {"username": username, "password": password, "role": role, "email": email},
    )
    role = Role(command.role)
    expected_kind = ROLE_ORGANISATION_KIND[role]
    platform = administers_platform(role)
    if organisation is None and not platform:
        raise InvalidInput.single("organisation", f"a {role.label} must belong to an organisation")
    if organisation is not None and organisation.kind != expected_kind:
        raise InvalidInput.single(
            "organisation",
            f"a {role.label} belongs to an organisation of kind {expected_kind.label}, "
            f"not {organisation.get_kind_display()}",
        )
    if User.objects.filter(username=command.username).exists():
        raise Conflict(f"a user named {command.username!r} already exists")
    with audited():
        user = User.objects.create_user(
            username=command.username,
            password=command.password.get_secret_value(),
            email=command.email,
            role=role,
            organisation=organisation,
            is_staff=platform,
            is_superuser=platform,
        )
        record(
            actor=None,
            action="user.created",
            subject=user,
            after={
                "username": command.username,
                "role": role.value,
                "organisation": organisation.name if organisation else None,
            },
        )
    return user


def create_organisation(actor: User | None, command: NewOrganisation) -> Organisation:
    """Create a tenant (from the CLI, so a fresh install needs no admin site); names are unique."""
    with audited():
        try:
            with transaction.atomic():  # the unique name decides between two at once
                organisation = Organisation.objects.create(
                    name=command.name,
                    kind=command.kind,
                    sector=command.sector or "",
                    track=command.track or "",
                )
        except IntegrityError:
            raise Conflict(f"an organisation named {command.name!r} exists already") from None
        record(
            actor=actor,
            action="organisation.created",
            subject=organisation,
            after=command.model_dump(mode="json"),
        )
    return organisation


def _membership(user: User) -> dict[str, object]:
    return {
        "role": user.role,
        "organisation": user.organisation.name if user.organisation else None,
    }


def sign_in_from_provider(claims: SignInClaims) -> User:
    """The user a single sign-on provider vouched for, created or updated from its claims.

    The person is found by the provider's (issuer, subject) alone. The first sign-in creates
    a user only when the claims name an existing organisation and a role that fits its kind
    (the allowed roles were checked in `map_claims`); later sign-ins take the role and
    organisation the provider now states, audited when they change. Anything else is a
    SignInRefused, changing nothing.
    """
    organisation = Organisation.objects.filter(name=claims.organisation).first()
    if organisation is None:
        raise SignInRefused(f"the organisation {claims.organisation!r} is not registered here")
    role = Role(claims.role)
    if organisation.kind != ROLE_ORGANISATION_KIND[role]:
        raise SignInRefused(
            f"a {role.label} cannot belong to {organisation.name} "
            f"({organisation.get_kind_display()})"
        )
    platform = administers_platform(role)
    with audited():
        identity = (
            ProviderIdentity.objects.select_for_update()
            .filter(issuer=claims.issuer, subject=claims.subject)
            .first()
        )
        if identity is None:
            user = User(
                username=_free_username(claims),
                email=claims.email,
                role=role,
                organisation=organisation,
                is_staff=platform,
                is_superuser=platform,
            )
            user.set_unusable_password()  # signs in through the provider only
            try:
                with transaction.atomic():  # the unique identity decides between two at once
                    user.save()
                    identity = ProviderIdentity.objects.create(
                        issuer=claims.issuer, subject=claims.subject, user=user
                    )
            except IntegrityError:
                raise SignInRefused("this account is signing in elsewhere; try again") from None
            record(
                actor=None,
                action="user.created",
                subject=user,
                after={"username": user.username, **_membership(user), "issuer": claims.issuer},
            )
        else:
            user = locked(identity.user, User.objects.select_related("organisation"))
            if not user.is_active:
                raise SignInRefused("this account is deactivated")
            before = _membership(user)
            user.role, user.organisation = role, organisation
            user.is_staff = user.is_superuser = platform
            if _membership(user) != before:
                user.save(update_fields=["role", "organisation", "is_staff", "is_superuser"])
                record(
                    actor=user,
                    action="user.membership_from_provider",
                    subject=user,
                    before=before,
                    after=_membership(user),
                )
        identity.last_signed_in_at = timezone.now()
        identity.save(update_fields=["last_signed_in_at"])
    return user


def _free_username(claims: SignInClaims) -> str:
    """The provider's preferred username if no one has it, else one derived from the identity.

    Never an existing user's name: a local account is not taken over because the provider
    reports the same name (or e-mail address).
    """
    if claims.username and not User.objects.filter(username=claims.username).exists():
        return claims.username
    digest = hashlib.sha256(f"{claims.issuer} {claims.subject}".encode()).hexdigest()[:12]
    return f"{claims.username or 'sso'}-{digest}"


WRONG_CODE = "that code is not right: enter the 6 digits your authenticator app shows now"


def pending_authenticator(user: User) -> TOTPDevice:
    """The user's authenticator being set up (a fresh random secret the first time).

    Not audited: an unconfirmed device signs nobody in; its confirmation is the event.
    """
    require(user, "accounts.enrol_second_factor")
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, confirmed=False, defaults={"name": "authenticator"}
    )
    return device


def enrol_second_factor(user: User, device: TOTPDevice, code: str) -> TOTPDevice:
    """Confirm the user's new authenticator with a code it shows; audited.

    A wrong code is counted by django-otp's throttle (committed: no error is raised inside the
    unit of work) and then refused.
    """
    require(user, "accounts.enrol_second_factor")
    with audited():
        device = locked(device)
        if device.user_id != user.pk:
            raise Conflict("this authenticator belongs to someone else")
        if device.confirmed:
            raise Conflict("an authenticator is already set up; an administrator can reset it")
        verified = device.verify_token(code)
        if verified:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            record(actor=user, action="second_factor.enrolled", subject=user)
    if not verified:
        raise InvalidInput.single("code", WRONG_CODE)
    return device


def reset_second_factor(actor: User | None, user: User) -> int:
    """Remove the user's authenticators (lost phone); they enrol again at the next sign-in."""
    with audited():
        user = locked(user)
        removed: int = TOTPDevice.objects.filter(user=user).delete()[0]
        if not removed:
            raise Conflict(f"{user.username} has no authenticator to reset")
        record(actor=actor, action="second_factor.reset", subject=user, after={"removed": removed})
    return removed
