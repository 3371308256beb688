"""Users whose role needs a second factor reach nothing until they have used it.

After the password or the single sign-on provider, such a user's session is signed in but
not verified (django-otp's `is_verified()`): every page sends them to set up an authenticator
(first time) or to enter its code, and the API refuses their session. Bearer-token requests
carry no session and pass: a token is issued only from a verified session, is a 256-bit
secret stored hashed and revocable, and is what scripts and the CLI use, which cannot answer
a code prompt (docs/security.md "Sign-in").
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django_otp import user_has_device

from .permissions import can

#: The pages a signed-in, unverified user may still open.
_OPEN = ("accounts:second_factor", "accounts:second_factor_enrol", "accounts:logout")


class SecondFactorMiddleware:
    """Send users who need a second factor to enrol or verify before any other page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            not user.is_authenticated
            or can(user, "accounts.skip_second_factor")
            or user.is_verified()  # type: ignore[attr-defined]  # django-otp's middleware adds it
            or request.path in {reverse(name) for name in _OPEN}
        ):
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"detail": "confirm this sign-in with your authenticator first"}, status=403
            )
        step = "accounts:second_factor" if user_has_device(user) else "accounts:second_factor_enrol"
        return redirect(f"{reverse(step)}?{urlencode({'next': request.get_full_path()})}")
