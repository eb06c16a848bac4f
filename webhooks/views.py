"""Centre staff's webhook pages: the list, a form to add or change one, and its delivery log."""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import actions
from .forms import WebhookForm
from .models import Delivery, Webhook
from .permissions import can_manage_webhooks

DELIVERIES_SHOWN = 50


def _staff_only(request: HttpRequest) -> None:
    # Others get a 404: the page's existence is nobody else's business.
    if not can_manage_webhooks(request.user):
        raise Http404


def webhook_list(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    hooks = Webhook.objects.select_related("owner").prefetch_related("spaces")
    return render(request, "webhooks/list.html", {"webhooks": hooks})


def _save(request: HttpRequest, form: WebhookForm, webhook: Webhook | None):
    data = form.cleaned_data
    fields = {
        "payload_url": data["payload_url"], "secret": data["secret"],
        "event_groups": data["event_groups"], "owner": data["owner"],
        "spaces": data["spaces"], "is_active": data["is_active"],
    }  # fmt: skip
    try:
        if webhook is None:
            return actions.create_webhook(actor=request.user, **fields)
        return actions.update_webhook(actor=request.user, webhook=webhook, **fields)
    except ValidationError as invalid:
        for field, errors in invalid.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return None


def webhook_new(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    # A strong secret suggested in the form: staff copy it to their receiver; it is not shown
    # again once saved.
    suggested = secrets.token_urlsafe(24)
    form = WebhookForm(
        request.POST or None, initial={"owner": request.user.username, "secret": suggested}
    )
    if request.method == "POST" and form.is_valid():
        webhook = _save(request, form, None)
        if webhook is not None:
            messages.success(request, _("Webhook added. Send a ping to check your receiver."))
            return redirect(webhook)
    status = 400 if form.errors else 200
    return render(request, "webhooks/form.html", {"form": form, "webhook": None}, status=status)


def webhook_detail(request: HttpRequest, webhook_id: int) -> HttpResponse:
    _staff_only(request)
    webhook = get_object_or_404(Webhook.objects.select_related("owner"), pk=webhook_id)
    initial = {
        "payload_url": webhook.payload_url, "event_groups": webhook.event_groups,
        "owner": webhook.owner.username, "spaces": list(webhook.spaces.all()),
        "is_active": webhook.is_active,
    }  # fmt: skip
    form = WebhookForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        if _save(request, form, webhook) is not None:
            messages.success(request, _("Webhook saved."))
            return redirect(webhook)
    deliveries = webhook.deliveries.all()[:DELIVERIES_SHOWN]
    status = 400 if form.errors else 200
    return render(
        request,
        "webhooks/form.html",
        {"form": form, "webhook": webhook, "deliveries": deliveries},
        status=status,
    )


@require_POST
def webhook_ping(request: HttpRequest, webhook_id: int) -> HttpResponse:
    _staff_only(request)
    webhook = get_object_or_404(Webhook, pk=webhook_id)
    actions.ping_webhook(actor=request.user, webhook=webhook)
    messages.success(request, _("Ping sent: its result is at the top of the delivery log."))
    return redirect(webhook)


@require_POST
def webhook_delete(request: HttpRequest, webhook_id: int) -> HttpResponse:
    _staff_only(request)
    webhook = get_object_or_404(Webhook, pk=webhook_id)
    actions.delete_webhook(actor=request.user, webhook=webhook)
    messages.success(request, _("Webhook removed."))
    return redirect("webhooks:list")


@require_POST
def delivery_redeliver(request: HttpRequest, delivery_id: int) -> HttpResponse:
    _staff_only(request)
    item = get_object_or_404(Delivery.objects.select_related("webhook"), pk=delivery_id)
    actions.redeliver(actor=request.user, delivery=item)
    messages.success(request, _("Sent again as a new delivery."))
    return redirect(item.webhook)
