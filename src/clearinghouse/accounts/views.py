"""Account pages: the API token list, issuing (shown once) and revoking."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from clearinghouse.errors import Conflict, InvalidInput
from clearinghouse.paging import page_of

from .permissions import signed_in
from .services import issue_token, revoke_token


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
