"""API authentication by bearer token, for scripts and the CLI (pages use the session)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from clearinghouse.accounts.models import User
from clearinghouse.accounts.services import user_for_token


class TokenAuth(HttpBearer):
    """`Authorization: Bearer chk_…`"""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user
