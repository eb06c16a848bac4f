"""Send a delivery as Discourse does: signed JSON to the payload URL, retried with backoff.

A payload URL must not reach into the network the server sits in (server-side request
forgery): its host must resolve only to public addresses, unless it is named in
`WEBHOOK_ALLOWED_HOSTS` (the tests name 127.0.0.1). This is checked when staff save the
webhook and again before every attempt; redirects are not followed.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import socket
import time
from datetime import timedelta
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Delivery

# Minutes before each retry: about a day of trying in all, as Discourse's retries.
BACKOFF_MINUTES = (1, 5, 30, 120, 480, 960)
MAX_ATTEMPTS = len(BACKOFF_MINUTES) + 1
TIMEOUT_SECONDS = 10
USER_AGENT = "Family Hubs Network webhooks"


def signature(secret: str, body: bytes) -> str:
    """The X-Discourse-Event-Signature header: sha256=<hex HMAC of the body with the secret>."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def check_payload_url(url: str) -> None:
    """Refuse a URL that is not http(s) or resolves to a private, loopback or reserved address."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError(_("Give a full http:// or https:// address."))
    host = parts.hostname.lower()
    if host in {h.lower() for h in settings.WEBHOOK_ALLOWED_HOSTS}:
        return
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        addresses = {info[4][0] for info in socket.getaddrinfo(host, port)}
    except (OSError, ValueError, UnicodeError):
        raise ValidationError(_("That address's host name does not resolve.")) from None
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if not ip.is_global or ip.is_multicast:
            raise ValidationError(
                _("That address points into a private network (%(ip)s): webhooks go only to "
                  "public addresses.") % {"ip": ip}
            )  # fmt: skip


def _record(item: Delivery, **fields) -> None:
    for name, value in fields.items():
        setattr(item, name, value)
    item.save(update_fields=list(fields))


def attempt(delivery_id: int) -> str:
    """Make one attempt at a pending or retrying delivery; return its state afterwards."""
    with transaction.atomic():
        # Locked, so two workers never send the same attempt twice.
        item = (
            Delivery.objects.select_for_update(of=("self",))
            .select_related("webhook")
            .filter(pk=delivery_id, state__in=[Delivery.State.PENDING, Delivery.State.RETRYING])
            .first()
        )
        if item is None:
            return "gone"
        # Claim this attempt: a crash mid-send leaves it due again, never silently lost.
        attempts = item.attempts + 1
        _record(item, attempts=attempts, state=Delivery.State.RETRYING,
                next_attempt_at=timezone.now() + timedelta(minutes=BACKOFF_MINUTES[0]))  # fmt: skip
    webhook = item.webhook
    status, body, error, elapsed = None, "", "", 0
    if not webhook.is_active:
        error = _("The webhook was switched off.")
    else:
        try:
            check_payload_url(webhook.payload_url)
            status, body, elapsed = _post(item)
        except ValidationError as refused:
            error = " ".join(refused.messages)
        except httpx.HTTPError as failed:
            error = f"{type(failed).__name__}: {failed}"[:300]
    now = timezone.now()
    if status is not None and 200 <= status < 300:
        _record(item, state=Delivery.State.DELIVERED, delivered_at=now, next_attempt_at=None,
                response_status=status, response_ms=elapsed, response_body=body, error="")  # fmt: skip
    elif attempts >= MAX_ATTEMPTS or not webhook.is_active:
        _record(item, state=Delivery.State.FAILED, next_attempt_at=None, response_status=status,
                response_ms=elapsed or None, response_body=body, error=error)  # fmt: skip
    else:
        wait = timedelta(minutes=BACKOFF_MINUTES[attempts - 1])
        _record(item, state=Delivery.State.RETRYING, next_attempt_at=now + wait,
                response_status=status, response_ms=elapsed or None, response_body=body,
                error=error)  # fmt: skip
    return item.state


def _post(item: Delivery) -> tuple[int, str, int]:
    body = item.payload.encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Discourse-Instance": settings.SITE_URL,
        "X-Discourse-Event-Id": str(item.pk),
        "X-Discourse-Event-Type": item.event_type,
        "X-Discourse-Event": item.event_name,
        "X-Discourse-Event-Signature": signature(item.webhook.secret, body),
    }
    started = time.monotonic()
    response = httpx.post(
        item.webhook.payload_url,
        content=body,
        headers=headers,
        timeout=TIMEOUT_SECONDS,
        follow_redirects=False,
    )
    elapsed = int((time.monotonic() - started) * 1000)
    return response.status_code, response.text[:2000], elapsed


def retry_due(*, now=None) -> int:
    """Attempt every delivery whose next try is due; return how many were attempted."""
    now = now or timezone.now()
    due = list(
        Delivery.objects.filter(
            state__in=[Delivery.State.PENDING, Delivery.State.RETRYING], next_attempt_at__lte=now
        ).values_list("pk", flat=True)[:500]
    )
    for delivery_id in due:
        attempt(delivery_id)
    return len(due)
