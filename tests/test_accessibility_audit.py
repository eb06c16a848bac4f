"""Issue 16's accessibility audit: what the independent audit found, each fixed and kept so."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from community.forum.models import Post
from tests.factories import any_topic, make_thread, make_user

pytestmark = pytest.mark.django_db


def test_failed_sign_in_has_the_error_summary_the_title_and_aria_invalid(client):
    response = client.post(
        reverse("account_login"), {"login": "nobody@example.org", "password": ""}
    )
    html = response.content.decode()

    assert re.search(r"<title>\s*Error:", html)
    assert 'class="error-summary"' in html and 'href="#id_password"' in html
    assert re.search(r'<input type="password"[^>]*aria-invalid="true"', html)


def test_failed_sign_up_has_the_error_summary_linking_to_each_field(client):
    response = client.post(reverse("account_signup"), {"email": "not-an-address"})
    html = response.content.decode()

    assert re.search(r"<title>\s*Error:", html)
    assert 'href="#id_email"' in html and 'href="#id_display_name"' in html
    assert re.search(r'<input type="email"[^>]*aria-invalid="true"', html)


def test_sign_up_and_profile_fields_say_what_to_autocomplete(client):
    signup = client.get(reverse("account_signup")).content.decode()
    assert re.search(r'name="organisation"[^>]*autocomplete="organization"', signup) or re.search(
        r'autocomplete="organization"[^>]*name="organisation"', signup
    )
    assert 'autocomplete="nickname"' in signup
    client.force_login(make_user())
    request = client.get(reverse("supportline:request")).content.decode()
    assert 'type="tel"' in request and 'autocomplete="tel"' in request
    assert 'autocomplete="organization"' in request


def test_the_two_search_landmarks_have_different_names(client):
    html = client.get(reverse("search:search") + "?q=hub").content.decode()

    names = re.findall(r'role="search" aria-label="([^"]+)"', html)

    assert len(names) == 2 and len(set(names)) == 2


def test_event_titles_come_under_the_page_heading_as_h2(client):
    from community.training import actions

    staff = make_user(role="staff")
    start = timezone.now() + timedelta(days=3)
    actions.create_event(
        actor=staff,
        details=actions.EventDetails(
            title="Reaching dads",
            description="Ideas for reaching fathers.",
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            capacity=5,
            online_url="https://meet.example/dads",
            hosts="Hub lead",
            topics=(any_topic(),),
        ),
    )

    html = client.get(reverse("training:upcoming")).content.decode()

    assert re.search(r'<h2 class="event-title"><a [^>]*>Reaching dads</a>', html)


def test_flagging_returns_to_the_flagged_post(client):
    thread = make_thread()
    post = thread.posts.get(number=1)
    client.force_login(make_user())

    response = client.post(reverse("moderation:flag", args=[post.pk]), {"reason": "spam"})

    assert response.status_code == 302
    assert response["Location"] == thread.post_url(1) + "#post-1"


def test_posting_a_reply_says_it_was_posted(client):
    thread = make_thread()
    client.force_login(make_user())

    response = client.post(
        reverse("forum:reply", args=[thread.pk]),
        {"source": "Thanks, this helped us a lot."},
        follow=True,
    )

    assert Post.objects.filter(thread=thread, number=2).exists()
    assert "Your reply has been posted." in response.content.decode()


def test_safeguarding_contact_and_footer_addresses_are_mailto_links(client, settings):
    settings.SAFEGUARDING_CONTACT = "Our lead: dsl@hub.example"

    for name in ("privacy:accessibility", "privacy:staying_safe", "forum:latest"):
        html = client.get(reverse(name)).content.decode()
        assert '<a href="mailto:dsl@hub.example">dsl@hub.example</a>' in html, name
