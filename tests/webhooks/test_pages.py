"""The staff pages: only centre staff reach them; a bad address is shown back with the reason."""

from __future__ import annotations

import pytest

from tests.factories import make_moderator, make_user
from webhooks import actions
from webhooks.models import Webhook

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    return make_user(role="staff", username="stella")


@pytest.fixture
def webhook(staff, receiver):
    return actions.create_webhook(
        actor=staff, payload_url=receiver.url, secret="x" * 16, event_groups=["post"]
    )


def _paths(webhook) -> list[tuple[str, str]]:
    first = webhook.deliveries.create(event_name="ping", event_type="ping", payload="{}")
    return [
        ("get", "/staff/webhooks/"),
        ("get", "/staff/webhooks/new/"),
        ("get", f"/staff/webhooks/{webhook.pk}/"),
        ("post", f"/staff/webhooks/{webhook.pk}/"),
        ("post", f"/staff/webhooks/{webhook.pk}/ping/"),
        ("post", f"/staff/webhooks/{webhook.pk}/delete/"),
        ("post", f"/staff/webhooks/deliveries/{first.pk}/redeliver/"),
    ]


@pytest.mark.parametrize("who", ["anonymous", "member", "moderator", "minor"])
def test_only_centre_staff_reach_the_webhook_pages(client, webhook, who):
    viewer = {
        "anonymous": None,
        "member": make_user(),
        "moderator": make_moderator(),
        "minor": make_user(role="young_person", age_band="13-15"),
    }[who]
    if viewer:
        client.force_login(viewer)
    for method, path in _paths(webhook):
        assert getattr(client, method)(path).status_code == 404, path
    assert Webhook.objects.filter(pk=webhook.pk).exists()


def test_a_refused_address_is_shown_back_with_the_reason(client, staff, settings):
    settings.WEBHOOK_ALLOWED_HOSTS = []
    client.force_login(staff)
    page = client.post(
        "/staff/webhooks/new/",
        {"payload_url": "http://10.0.0.5/hook", "event_groups": ["post"], "owner": "stella"},
    )
    assert page.status_code == 400
    assert b"private network" in page.content and b"http://10.0.0.5/hook" in page.content
    assert not Webhook.objects.exists()


def test_staff_add_a_webhook_and_ping_it(client, staff, receiver, committed):
    client.force_login(staff)
    page = client.post(
        "/staff/webhooks/new/",
        {"payload_url": receiver.url, "event_groups": ["post", "topic"], "owner": "stella",
         "is_active": "on"},
    )  # fmt: skip
    webhook = Webhook.objects.get()
    assert page.status_code == 302 and page["Location"] == f"/staff/webhooks/{webhook.pk}/"
    assert webhook.event_groups == ["post", "topic"] and len(webhook.secret) >= 32

    with committed():
        client.post(f"/staff/webhooks/{webhook.pk}/ping/")
    assert receiver.events() == ["ping"]
    detail = client.get(f"/staff/webhooks/{webhook.pk}/")
    assert b"Delivered" in detail.content and b"answered 200" in detail.content
    assert webhook.secret.encode() not in detail.content  # never shown back


def test_the_detail_page_reads_a_fixed_number_of_queries(
    client, staff, webhook, django_assert_num_queries
):
    client.force_login(staff)
    client.get(f"/staff/webhooks/{webhook.pk}/")
    webhook.deliveries.create(event_name="ping", event_type="ping", payload="{}")
    with django_assert_num_queries(4):
        client.get(f"/staff/webhooks/{webhook.pk}/")
    for n in range(30):
        webhook.deliveries.create(event_name="ping", event_type="ping", payload=f'{{"n":{n}}}')
    with django_assert_num_queries(4):
        client.get(f"/staff/webhooks/{webhook.pk}/")
