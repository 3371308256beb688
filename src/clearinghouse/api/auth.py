"""API authentication by bearer token, for scripts and the CLI (pages use the session)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth

from clearinghouse.accounts.models import User
from clearinghouse.accounts.services import user_for_token


class TokenAuth(HttpBearer):
    """`Authorization: Bearer chk_…`"""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


class SessionAuth(NinjaSessionAuth):
    """The signed-in browser session, CSRF-checked; no session is simply not authenticated.

    ninja's session auth checks CSRF before looking at the session, so a request with a
    wrong token and no session answered 403 "CSRF check failed"; it is a 401. A request
    that does carry a session still needs the CSRF token for unsafe methods (403 without).
    """

    def __call__(self, request: HttpRequest) -> Any:
        if not request.user.is_authenticated:
            return None
        return super().__call__(request)
