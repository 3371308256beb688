"""Pages for an organisation's webhooks and the notifications it was sent."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from clearinghouse.accounts.permissions import signed_in, visible
from clearinghouse.errors import Conflict, InvalidInput
from clearinghouse.inputs import parse, show_errors
from clearinghouse.paging import page_of

from . import services
from .forms import WebhookForm
from .inputs import RegisterWebhook
from .models import Delivery, WebhookEndpoint


@login_required
def webhooks(request: HttpRequest) -> HttpResponse:
    """List and register endpoints; a new endpoint's secret is shown on this response only.

    Active endpoints are few (at most `MAX_ACTIVE_ENDPOINTS`), so all are shown; stopped
    ones are counted; the notifications sent are paged.
    """
    user = signed_in(request)
    form = WebhookForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        try:
            _, secret = services.register_webhook(user, parse(RegisterWebhook, form.cleaned_data))
        except InvalidInput as error:
            show_errors(form, error)
        except Conflict as error:
            form.add_error(None, str(error))
    endpoints = visible(WebhookEndpoint, user)
    context = {
        "form": form,
        "secret": secret,
        "endpoints": endpoints.filter(active=True).order_by("-created_at", "-id"),
        "stopped": endpoints.filter(active=False).count(),
        "page": page_of(request, visible(Delivery, user).order_by("-created_at", "-id")),
    }
    return render(request, "notifications/webhooks.html", context)


@login_required
@require_POST
def deactivate(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    """Stop sending to an endpoint."""
    endpoint = get_object_or_404(visible(WebhookEndpoint, signed_in(request)), pk=endpoint_id)
    try:
        services.deactivate_webhook(signed_in(request), endpoint)
    except Conflict as error:
        messages.info(request, str(error))
    else:
        messages.success(request, f"Stopped sending to {endpoint.url}.")
    return redirect("notifications:webhooks")
