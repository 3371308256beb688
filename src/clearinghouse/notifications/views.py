"""Pages for an organisation's webhooks and the notifications it was sent."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from clearinghouse.accounts.permissions import signed_in, visible
from clearinghouse.errors import InvalidInput

from . import services
from .forms import WebhookForm
from .models import Delivery, WebhookEndpoint


@login_required
def webhooks(request: HttpRequest) -> HttpResponse:
    """List and register endpoints; a new endpoint's secret is shown on this response only."""
    user = signed_in(request)
    form = WebhookForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        try:
            _, secret = services.register_webhook(
                user, form.cleaned_data["url"], form.cleaned_data["events"]
            )
        except InvalidInput as error:
            form.add_error("url", str(error))
    context = {
        "form": form,
        "secret": secret,
        "endpoints": visible(WebhookEndpoint, user),
        "deliveries": visible(Delivery, user)[:50],
    }
    return render(request, "notifications/webhooks.html", context)


@login_required
@require_POST
def deactivate(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    """Stop sending to an endpoint."""
    endpoint = get_object_or_404(visible(WebhookEndpoint, signed_in(request)), pk=endpoint_id)
    services.deactivate_webhook(signed_in(request), endpoint)
    messages.success(request, f"Stopped sending to {endpoint.url}.")
    return redirect("notifications:webhooks")
