"""API for the signed-in account: who am I, and my API tokens."""

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from clearinghouse.paging import Paged

from .inputs import IssueToken
from .models import ApiToken, User
from .permissions import signed_in
from .services import issue_token, revoke_token

router = Router(tags=["accounts"])


class OrganisationOut(Schema):
    """An organisation as its members see it."""

    id: int
    name: str
    kind: str
    sector: str
    track: str


class MeOut(Schema):
    """The signed-in user."""

    username: str
    role: str
    organisation: OrganisationOut | None


class TokenOut(Schema):
    """A token as listed: never the secret."""

    id: int
    name: str
    hint: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class NewTokenOut(TokenOut):
    """A token just issued: the only time the secret is shown."""

    token: str


@router.get("/me", response=MeOut)
def me(request: HttpRequest) -> User:
    """The signed-in user and organisation."""
    return signed_in(request)


@router.get("/tokens", response=list[TokenOut])
@paginate(Paged)
def list_tokens(request: HttpRequest, **kwargs: Any) -> QuerySet[ApiToken]:
    """My API tokens (without secrets), newest first."""
    return signed_in(request).api_tokens.order_by("-created_at", "-id")


@router.post("/tokens", response={201: NewTokenOut})
def create_token(request: HttpRequest, payload: IssueToken) -> Status[dict[str, object]]:
    """Issue a token; copy it now, it is not shown again."""
    token, secret = issue_token(signed_in(request), payload.name)
    return Status(201, TokenOut.from_orm(token).model_dump() | {"token": secret})


@router.delete("/tokens/{token_id}", response={204: None})
def delete_token(request: HttpRequest, token_id: int) -> Status[None]:
    """Revoke one of my tokens."""
    revoke_token(signed_in(request), get_object_or_404(signed_in(request).api_tokens, pk=token_id))
    return Status(204, None)
