"""Curating a thread into a resource, and the consent rule for the words it quotes."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from community.forum import actions as forum_actions
from community.library import actions
from community.library.models import Credit
from community.library.permissions import shows_name
from notifications.models import Notification
from tests.factories import make_moderator, make_thread, make_user

from .conftest import publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def thread_with_voices():
    adult = make_user(role="parent_carer", username="dana", display_name="Dana")
    minor = make_user(role="young_person", username="kai", display_name="Kai", age_band="16-17")
    practitioner = make_user(username="priya", display_name="Priya")
    thread = make_thread(author=practitioner, source="Our hub opens on Saturdays for dads.")
    forum_actions.create_post(author=adult, thread=thread, source="Saturday sessions let me come.")
    minors_post = forum_actions.create_post(
        author=minor, thread=thread, source="I found the youth drop-in."
    )
    # Members under 18 are pre-moderated: a moderator has approved this one.
    forum_actions.approve_post(moderator=make_moderator(), post=minors_post)
    return thread, practitioner, adult, minor


def _credit(resource, user) -> Credit:
    return resource.credits.get(user=user)


def test_curating_quotes_posts_and_asks_authors_to_consent(thread_with_voices):
    thread, practitioner, adult, minor = thread_with_voices
    moderator = make_moderator()

    resource = actions.curate_thread(actor=moderator, thread=thread)

    assert resource.source_thread == thread and resource.state == "draft"
    assert resource.contributions.count() == 3
    assert set(resource.credits.values_list("consent", flat=True)) == {"pending"}
    for person in (practitioner, adult, minor):
        note = Notification.objects.get(user=person, kind="library_consent")
        assert note.data["url"] == reverse("library:credit", args=[_credit(resource, person).pk])


def test_chosen_posts_only_are_quoted(thread_with_voices):
    thread, practitioner, adult, minor = thread_with_voices
    first = thread.posts.get(number=1)
    resource = actions.curate_thread(actor=make_moderator(), thread=thread, post_ids=[first.pk])
    assert [c.post_id for c in resource.contributions.all()] == [first.pk]
    assert list(resource.credits.values_list("user", flat=True)) == [practitioner.pk]


def test_members_cannot_curate(thread_with_voices):
    thread, practitioner, *_ = thread_with_voices
    with pytest.raises(PermissionDenied):
        actions.curate_thread(actor=practitioner, thread=thread)


def test_curating_no_published_posts_is_refused(thread_with_voices):
    thread, *_ = thread_with_voices
    with pytest.raises(ValidationError):
        actions.curate_thread(actor=make_moderator(), thread=thread, post_ids=[])


def test_a_minors_words_are_left_out_until_they_consent(thread_with_voices):
    thread, practitioner, adult, minor = thread_with_voices
    resource = actions.curate_thread(actor=make_moderator(), thread=thread)

    assert "youth drop-in" not in resource.html
    assert "Saturday sessions" in resource.html  # an adult's words, before any answer

    actions.answer_credit(actor=minor, credit=_credit(resource, minor), consent=True)

    resource.refresh_from_db()
    assert "youth drop-in" in resource.html and "Kai" in resource.html


def test_a_declined_authors_words_are_left_out(thread_with_voices):
    thread, practitioner, adult, minor = thread_with_voices
    resource = actions.curate_thread(actor=make_moderator(), thread=thread)

    actions.answer_credit(actor=adult, credit=_credit(resource, adult), consent=False)

    resource.refresh_from_db()
    assert "Saturday sessions" not in resource.html
    names = [c["name"] for c in actions.working_contributions(resource)]
    assert names == ["A practitioner"]


def test_unconsented_words_are_attributed_to_a_role_not_a_name(thread_with_voices):
    thread, practitioner, adult, minor = thread_with_voices
    resource = actions.curate_thread(actor=make_moderator(), thread=thread)
    assert "A parent or carer" in resource.html and "Dana" not in resource.html

    actions.answer_credit(actor=adult, credit=_credit(resource, adult), consent=True)

    resource.refresh_from_db()
    assert "Dana" in resource.html


def test_only_the_credited_person_can_answer(thread_with_voices):
    thread, practitioner, adult, minor = thread_with_voices
    moderator = make_moderator()
    resource = actions.curate_thread(actor=moderator, thread=thread)
    with pytest.raises(PermissionDenied):
        actions.answer_credit(actor=moderator, credit=_credit(resource, minor), consent=True)


def test_withdrawing_words_removes_them_from_the_current_and_future_versions(thread_with_voices):
    thread, practitioner, adult, minor = thread_with_voices
    moderator = make_moderator()
    resource = actions.curate_thread(actor=moderator, thread=thread)
    actions.answer_credit(actor=adult, credit=_credit(resource, adult), consent=True)
    reviewer = make_user(role="expert")
    publish(resource, owner=moderator, reviewer=reviewer)
    assert "Saturday sessions" in resource.current_version.html

    actions.withdraw_words(actor=adult, credit=_credit(resource, adult))

    resource.refresh_from_db()
    assert "Saturday sessions" not in resource.current_version.html
    actions.update_resource(actor=moderator, resource=resource, summary="A new summary of it.")
    publish(resource, owner=moderator, reviewer=reviewer)
    resource.refresh_from_db()
    assert resource.current_version.number == 2
    assert "Saturday sessions" not in resource.current_version.html


def test_withdrawing_credit_keeps_words_but_removes_the_name(thread_with_voices):
    thread, practitioner, adult, minor = thread_with_voices
    moderator = make_moderator()
    resource = actions.curate_thread(actor=moderator, thread=thread)
    actions.answer_credit(actor=adult, credit=_credit(resource, adult), consent=True)
    publish(resource, owner=moderator, reviewer=make_user(role="expert"))

    actions.withdraw_credit(actor=adult, credit=_credit(resource, adult))

    resource.refresh_from_db()
    html = resource.current_version.html
    assert "Saturday sessions" in html and "Dana" not in html and "A parent or carer" in html


def test_the_thread_page_links_to_the_resource_for_those_who_may_see_it(client, thread_with_voices):
    thread, practitioner, adult, minor = thread_with_voices
    moderator = make_moderator()
    resource = actions.curate_thread(actor=moderator, thread=thread, title="Saturday dads group")

    client.force_login(practitioner)
    assert (
        "Saturday dads group"
        not in client.get(thread.get_absolute_url() + "?page=1").content.decode()
    )
    client.force_login(moderator)
    page = client.get(thread.get_absolute_url() + "?page=1").content.decode()
    assert resource.get_absolute_url() in page
    assert reverse("library:curate", args=[thread.pk]) in page

    publish(resource, owner=moderator, reviewer=make_user(role="expert"))
    client.force_login(practitioner)
    page = client.get(thread.get_absolute_url() + "?page=1").content.decode()
    assert resource.get_absolute_url() in page
    assert reverse("library:curate", args=[thread.pk]) not in page


def test_the_curate_page_is_refused_to_members(client, thread_with_voices):
    thread, practitioner, *_ = thread_with_voices
    client.force_login(practitioner)
    assert client.get(reverse("library:curate", args=[thread.pk])).status_code == 403


def test_the_credit_page_is_only_for_the_credited_person(client, thread_with_voices):
    thread, practitioner, adult, minor = thread_with_voices
    resource = actions.curate_thread(actor=make_moderator(), thread=thread)
    url = reverse("library:credit", args=[_credit(resource, minor).pk])

    client.force_login(adult)
    assert client.get(url).status_code == 404
    client.force_login(minor)
    response = client.post(url, {"answer": "agree"})
    assert response.status_code == 302
    assert _credit(resource, minor).consent == "given"
    assert client.post(url, {"answer": "maybe"}).status_code == 400


def test_a_standing_no_to_being_credited_takes_the_name_off_every_resource(
    client, thread_with_voices
):
    from community.privacy.actions import set_consent

    thread, practitioner, adult, minor = thread_with_voices
    moderator = make_moderator()
    resource = actions.curate_thread(actor=moderator, thread=thread)
    actions.answer_credit(actor=adult, credit=_credit(resource, adult), consent=True)
    publish(resource, owner=moderator, reviewer=make_user(role="expert"))
    page = client.get(resource.get_absolute_url()).content.decode()
    assert "Dana" in page
    set_consent(user=adult, kind="credit", granted=False)
    page = client.get(resource.get_absolute_url()).content.decode()
    assert "Dana" not in page and "Saturday sessions let me come." in page
    assert "A parent or carer" in page


def test_a_standing_yes_agrees_for_adults_but_a_child_is_still_asked(thread_with_voices):
    from community.privacy.actions import set_consent

    thread, practitioner, adult, minor = thread_with_voices
    for person in (practitioner, minor):
        set_consent(user=person, kind="credit", granted=True)
    set_consent(user=adult, kind="credit", granted=False)
    resource = actions.curate_thread(actor=make_moderator(), thread=thread)
    assert shows_name(_credit(resource, practitioner))
    assert _credit(resource, minor).consent == "pending" and not shows_name(
        _credit(resource, minor)
    )
    assert not shows_name(_credit(resource, adult))
    names = {c["name"] for c in actions.working_contributions(resource)}
    assert "Priya" in names and "Dana" not in names and "Kai" not in names


def test_the_credit_page_shows_the_quoted_words_rendered_not_as_markdown(client):
    commissioner = make_user(role="commissioner", username="cleo", display_name="Cleo")
    thread = make_thread(author=commissioner, source="We fund **Saturday** sessions: _ask us_.")
    resource = actions.curate_thread(actor=make_moderator(), thread=thread)
    credit = _credit(resource, commissioner)
    client.force_login(commissioner)

    html = client.get(reverse("library:credit", args=[credit.pk])).content.decode()

    assert "<strong>Saturday</strong>" in html and "**Saturday**" not in html
    assert "co-producer (commissioner or hub lead)" in html
