"""Account pages: sign in (password or single sign-on), the second factor, API tokens."""

from __future__ import annotations

from base64 import b32encode
from typing import Any
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django.views.generic import View
from django_otp import login as otp_login
from django_otp import verify_token
from django_otp.plugins.otp_totp.models import TOTPDevice
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from clearinghouse.core.oidc import SignInRefused
from clearinghouse.errors import Conflict, InvalidInput
from clearinghouse.paging import page_of

from .backends import REFUSAL
from .oidc import provider, single_sign_on
from .permissions import can, signed_in
from .services import (
    WRONG_CODE,
    enrol_second_factor,
    issue_token,
    pending_authenticator,
    revoke_token,
)


class SignIn(auth_views.LoginView):
    """The sign-in page: the password form unless turned off, the provider's button if set."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(**kwargs) | {
            "password_signin": settings.CLEARINGHOUSE_PASSWORD_SIGNIN,
            "single_sign_on": single_sign_on(),
            "single_sign_on_label": settings.CLEARINGHOUSE_OIDC.label,
        }


def _refused(request: HttpRequest, reason: str) -> HttpResponse:
    return render(request, "accounts/refused.html", {"reason": reason}, status=403)


class StartSingleSignOn(OIDCAuthenticationRequestView):  # type: ignore[misc]
    """Send the browser to the provider (state, nonce and PKCE kept in the session)."""

    def __init__(self, **kwargs: Any) -> None:
        # Not the library's __init__: the endpoint comes from discovery, on each request.
        View.__init__(self, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponseBase:
        if not single_sign_on():
            raise Http404("single sign-on is not configured")
        try:
            endpoint = provider().authorization_endpoint
        except SignInRefused as refusal:
            return _refused(request, str(refusal))
        self.OIDC_OP_AUTH_ENDPOINT = endpoint
        self.OIDC_RP_CLIENT_ID = settings.CLEARINGHOUSE_OIDC.client_id
        response: HttpResponseBase = super().get(request)
        return response


class FinishSingleSignOn(OIDCAuthenticationCallbackView):  # type: ignore[misc]
    """The provider's redirect back: signed in, or a page that says why not."""

    def get(self, request: HttpRequest) -> HttpResponseBase:
        if not single_sign_on():
            raise Http404("single sign-on is not configured")
        response: HttpResponseBase = super().get(request)
        return response

    def login_failure(self) -> HttpResponse:
        reason = getattr(self.request, REFUSAL, "the sign-in provider did not sign you in")
        return _refused(self.request, reason)


def _step(name: str, request: HttpRequest) -> HttpResponse:
    return redirect(f"{reverse(name)}?{urlencode({'next': _next(request)})}")


def _next(request: HttpRequest) -> str:
    """Where to go once the second factor is done: a path on this site, else the dashboard."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if safe else reverse("home")


@login_required
def second_factor_enrol(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator: a QR code (drawn here, no external service) and its secret."""
    user = signed_in(request)
    if not can(user, "accounts.enrol_second_factor"):
        return redirect(_next(request))
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return _step("accounts:second_factor", request)
    device = pending_authenticator(user)
    error = None
    if request.method == "POST":
        try:
            device = enrol_second_factor(user, device, request.POST.get("code", "").strip())
        except InvalidInput as refusal:
            error = refusal.errors[0].msg
        except Conflict as refusal:
            error = str(refusal)
        else:
            otp_login(request, device)
            messages.success(request, "Your authenticator is set up.")
            return redirect(_next(request))
    context = {
        "qr": segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2),
        "secret": b32encode(device.bin_key).decode(),
        "error": error,
        "next": _next(request),
    }
    return render(request, "accounts/second_factor_enrol.html", context)


@login_required
def second_factor(request: HttpRequest) -> HttpResponse:
    """Confirm this sign-in with the authenticator's current code."""
    user = signed_in(request)
    if can(user, "accounts.skip_second_factor") or user.is_verified():  # type: ignore[attr-defined]
        return redirect(_next(request))
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        return _step("accounts:second_factor_enrol", request)
    error = None
    if request.method == "POST":
        allowed, _ = device.verify_is_allowed()  # django-otp's throttle after wrong codes
        verified = (
            verify_token(user, device.persistent_id, request.POST.get("code", "").strip())
            if allowed
            else None
        )
        if verified is not None:
            otp_login(request, verified)
            return redirect(_next(request))
        error = WRONG_CODE if allowed else "too many wrong codes: wait a few seconds, then retry"
    context = {"error": error, "next": _next(request)}
    return render(request, "accounts/second_factor.html", context, status=400 if error else 200)


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    """List my tokens; a POST issues one and shows its secret on this response only."""
    secret = None
    if request.method == "POST":
        try:
            _, secret = issue_token(signed_in(request), request.POST.get("name", ""))
        except InvalidInput as error:
            messages.error(request, str(error))
    page = page_of(request, signed_in(request).api_tokens.order_by("-created_at", "-id"))
    return render(request, "accounts/tokens.html", {"page": page, "secret": secret})


@login_required
@require_POST
def revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    """Revoke one of my tokens."""
    token = get_object_or_404(signed_in(request).api_tokens, pk=token_id)
    try:
        revoke_token(signed_in(request), token)
        messages.success(request, f"Token {token.name} revoked.")
    except Conflict as error:
        messages.error(request, str(error))
    return redirect("accounts:tokens")
