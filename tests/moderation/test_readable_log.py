"""The moderation log reads as sentences and changes, never raw dicts or internal codes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from community.moderation import actions
from community.moderation.readable import readable
from tests.factories import make_thread, make_user

pytestmark = pytest.mark.django_db


def test_closing_a_thread_reads_as_closed_no_to_yes():
    staff = make_user(role="staff")
    thread = make_thread()
    actions.set_thread_status(actor=staff, thread=thread, status="closed", enabled=True)
    from community.moderation.models import ModerationLog

    entry = readable(ModerationLog.objects.get(action__startswith="thread."))

    assert entry.what == "Closed a thread"
    assert [(c.field, c.before, c.after) for c in entry.changes] == [("Closed", "no", "yes")]


def test_log_page_shows_words_not_codes_or_dicts(client):
    staff = make_user(role="staff")
    member = make_user(username="quiet")
    thread = make_thread()
    actions.set_slow_mode(actor=staff, thread=thread, seconds=120, reason="Heated")
    actions.set_trust_level(staff=staff, user=member, level=2, reason="Known to us")
    client.force_login(staff)

    page = client.get(reverse("moderation:log")).content.decode()

    assert "Set slow mode" in page and "Slow mode (seconds between posts)" in page
    assert "thread.slow_mode" not in page and "user.trust_level" not in page
    assert "{&#x27;" not in page and "{'" not in page


def test_unknown_codes_still_read_as_words():
    from community.moderation.models import ModerationLog

    entry = ModerationLog(
        action="thread.sparkled", target_type="thread", target_id=3, after={"shine_level": 2}
    )

    described = readable(entry)

    assert described.what == "Thread sparkled"
    assert [(c.field, c.after) for c in described.changes] == [("Shine level", "2")]
