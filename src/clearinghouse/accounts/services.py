"""Account workflow: API tokens (issued once, stored hashed) and users created by commands."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from clearinghouse.audit.services import audited, record
from clearinghouse.errors import Conflict, InvalidInput
from clearinghouse.inputs import parse
from clearinghouse.workflow import locked

from .inputs import CreateUser, IssueToken, NewOrganisation
from .models import ROLE_ORGANISATION_KIND, ApiToken, Organisation, Role, User
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
