"""The network as an installable app: Chromium's own installability check, the offline page,
and the device page for web push."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .test_accessibility import blocking_violations, describe

pytestmark = pytest.mark.browser


def test_chromium_finds_the_network_installable(browser, live_server, tmp_path):
    from .conftest import CHROMIUM, CHROMIUM_ARGS

    # A profile on disk: Chromium never offers to install from an incognito-like context.
    context = browser.browser_type.launch_persistent_context(
        tmp_path / "profile",
        executable_path=CHROMIUM,
        args=CHROMIUM_ARGS,
        base_url=live_server.url,
    )
    try:
        page = context.pages[0] if context.pages else context.new_page()
        page.goto("/")
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        cdp = context.new_cdp_session(page)
        manifest = cdp.send("Page.getAppManifest")
        assert manifest["errors"] == [], manifest["errors"]
        assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []
    finally:
        context.close()


def test_offline_pages_come_from_the_network_or_not_at_all(signed_in, member):
    page = signed_in
    page.goto("/notifications/devices/")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # now controlled by the worker
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications on your devices")
    page.context.set_offline(True)
    try:
        page.goto("/notifications/devices/")
        # Not the member's page from a cache: the same offline page for everyone.
        expect(page.get_by_role("heading", level=1)).to_have_text("You are offline")
        assert member.display_name not in page.content()
        violations = blocking_violations(page)
        assert not violations, describe(violations)
    finally:
        page.context.set_offline(False)


def test_the_device_page_passes_axe_at_phone_and_desktop_widths(signed_in, member):
    from notifications.models import PushDevice

    PushDevice.objects.create(
        user=member,
        endpoint="https://push.example/device-1",
        p256dh="B" * 87,
        auth="A" * 22,
        label="Phone browser",
    )
    page = signed_in
    page.goto("/notifications/devices/")
    expect(page.get_by_role("button", name="Get notifications on this device")).to_be_visible()
    for width in (320, 1280):
        page.set_viewport_size({"width": width, "height": 800})
        violations = blocking_violations(page)
        assert not violations, describe(violations)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.get_by_role("checkbox", name="Mentions of you").uncheck()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("were saved")).to_be_visible()
    page.get_by_role("button", name="Remove Phone browser").click()
    expect(page.get_by_text("No devices get notifications from you yet.")).to_be_visible()
    assert not PushDevice.objects.filter(user=member).exists()


def test_subscribing_in_chromium_saves_the_device_or_says_clearly_that_it_could_not(
    signed_in, member
):
    """Clicks "Get notifications on this device" in real Chromium, with permission granted.

    Where Chromium can register with a push service, the subscription it returns is saved as
    the member's device. Headless Chromium on these test machines cannot: it has no push
    service (no network to FCM) and refuses the registration even with notifications allowed
    ("AbortError: Registration failed - permission denied"). What is checked then is the
    member's side of that: a plain message, nothing saved, and that the refusal came from the
    browser's push registration (an AbortError), not from our code (a bad application server
    key would be an InvalidAccessError). Delivery to a real subscription (aes128gcm encryption
    with the subscription's keys, the VAPID signature) is covered by
    tests/notifications/test_webpush.py through a push receiver on loopback.
    """
    from notifications.models import PushDevice

    page = signed_in
    page.context.grant_permissions(["notifications"])
    page.goto("/notifications/devices/")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # controlled by the service worker, whose registration pushManager uses
    subscribe = page.get_by_role("button", name="Get notifications on this device")
    subscribe.wait_for(timeout=30_000)  # shown by pwa.js once it has checked the browser
    subscribe.click()
    failed = page.get_by_text("Sorry, we could not turn on notifications on this device.")
    saved = page.get_by_role("button", name="Remove Computer browser")
    expect(failed.or_(saved)).to_be_visible(timeout=30_000)
    devices = list(PushDevice.objects.filter(user=member))
    if saved.count():
        [device] = devices
        assert device.endpoint.startswith("https://") and device.p256dh and device.auth
    else:
        reason = page.locator("[data-push-status]").get_attribute("data-reason")
        assert reason.startswith("AbortError: Registration failed"), reason
        assert devices == []
        violations = blocking_violations(page)
        assert not violations, describe(violations)
