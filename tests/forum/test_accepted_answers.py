"""Accepted answers: who may choose one, what it changes, and every way it is read."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from community.forum import actions, permissions
from community.forum.models import Space
from community.moderation.models import ModerationLog
from community.search import indexing
from community.search.service import search
from community.supportline.models import ExpertProfile
from notifications.models import Notification
from tests.factories import make_moderator, make_thread, make_user, national, private_group

pytestmark = pytest.mark.django_db


def ask_an_expert() -> Space:
    return Space.objects.get(slug="ask-an-expert")


@pytest.fixture
def question():
    asker = make_user(username="asker", display_name="Asker")
    thread = make_thread(
        author=asker,
        space=ask_an_expert(),
        title="How do we set up a parenting panel?",
        source="We want parents on our steering group. Where do we start?",
    )
    expert = make_user(role="expert", username="expert", display_name="Dr Expert")
    ExpertProfile.objects.create(user=expert)
    answer = actions.create_post(
        author=expert, thread=thread, source="Start with a paid parent champion role."
    )
    other = actions.create_post(author=make_user(), thread=thread, source="Good luck with it!")
    return thread, asker, expert, answer, other


def test_migration_switches_accepted_answers_on_for_ask_an_expert_only():
    assert ask_an_expert().accepted_answers
    assert not national().accepted_answers


def test_thread_author_marks_a_reply_as_the_answer_logged_and_published(
    question, published_events, django_capture_on_commit_callbacks
):
    thread, asker, expert, answer, _other = question
    with django_capture_on_commit_callbacks(execute=True):
        actions.accept_answer(actor=asker, post=answer)
    thread.refresh_from_db()
    assert thread.accepted_answer_id == answer.pk
    assert [e for e in published_events if e["type"] == "answer.accepted"][0]["post_id"] == (
        answer.pk
    )
    entry = ModerationLog.objects.get(action="thread.answer_accepted")
    assert (entry.actor_id, entry.target_id) == (asker.pk, thread.pk)
    note = Notification.objects.get(user=expert, kind="answer_accepted")
    assert note.post_id == answer.pk


def test_expert_and_moderator_may_choose_but_other_members_may_not(question):
    thread, _asker, expert, answer, other = question
    assert permissions.can_accept_answer(expert, thread)
    assert permissions.can_accept_answer(make_moderator(), thread)
    stranger = make_user()
    assert not permissions.can_accept_answer(stranger, thread)
    with pytest.raises(PermissionDenied):
        actions.accept_answer(actor=stranger, post=other)


def test_answers_cannot_be_chosen_where_the_space_has_them_off():
    asker = make_user()
    thread = make_thread(author=asker, space=national())
    reply = actions.create_post(author=make_user(), thread=thread, source="A reply here")
    with pytest.raises(PermissionDenied):
        actions.accept_answer(actor=asker, post=reply)


def test_the_question_itself_is_not_an_answer(question):
    thread, asker, *_ = question
    with pytest.raises(ValidationError):
        actions.accept_answer(actor=asker, post=thread.posts.get(number=1))


def test_choosing_another_reply_replaces_the_answer_and_unmark_reopens(question):
    thread, asker, _expert, answer, other = question
    actions.accept_answer(actor=asker, post=answer)
    actions.accept_answer(actor=asker, post=other)
    thread.refresh_from_db()
    assert thread.accepted_answer_id == other.pk
    actions.unaccept_answer(actor=asker, thread=thread)
    thread.refresh_from_db()
    assert thread.accepted_answer_id is None
    assert ModerationLog.objects.filter(action="thread.answer_unaccepted").exists()


def test_deleting_the_answer_reopens_the_question(question):
    thread, asker, expert, answer, _other = question
    actions.accept_answer(actor=asker, post=answer)
    actions.delete_post(actor=expert, post=answer)
    thread.refresh_from_db()
    assert thread.accepted_answer_id is None


def test_thread_page_shows_the_answer_under_the_first_post_with_a_link(client, question):
    thread, asker, _expert, answer, _other = question
    actions.accept_answer(actor=asker, post=answer)
    client.force_login(make_user())
    html = client.get(thread.get_absolute_url() + "?page=1").content.decode()
    box = html.index('id="accepted-answer"')
    assert html.index('id="post-1"') < box < html.index('id="post-2"')
    assert "paid parent champion" in html[box:]
    assert f"{thread.post_url(answer.number)}#post-{answer.number}" in html


def test_hidden_answer_is_not_shown_to_members(client, question):
    thread, asker, _expert, answer, _other = question
    actions.accept_answer(actor=asker, post=answer)
    answer.status = "hidden"
    answer.save(update_fields=["status"])
    client.force_login(make_user())
    html = client.get(thread.get_absolute_url() + "?page=1").content.decode()
    assert "paid parent champion" not in html


def test_choose_answer_page_works_without_javascript(client, question):
    thread, asker, _expert, answer, _other = question
    client.force_login(asker)
    url = reverse("forum:choose_answer", args=[thread.pk])
    assert "paid parent champion" in client.get(url).content.decode()
    response = client.post(url, {"post": answer.pk})
    assert response.status_code == 302
    thread.refresh_from_db()
    assert thread.accepted_answer_id == answer.pk
    assert client.post(url, {"post": "nonsense"}).status_code == 400
    client.force_login(make_user())
    assert client.get(url).status_code == 403


def test_space_list_filters_answered_and_unanswered(client, question):
    thread, asker, _expert, answer, _other = question
    open_one = make_thread(space=ask_an_expert(), title="Still waiting for an answer here")
    actions.accept_answer(actor=asker, post=answer)
    client.force_login(make_user())
    url = reverse("forum:space", args=["ask-an-expert"])
    solved = client.get(url, {"status": "solved"}).content.decode()
    unsolved = client.get(url, {"status": "unsolved"}).content.decode()
    assert thread.title in solved and open_one.title not in solved
    assert open_one.title in unsolved and thread.title not in unsolved


def test_status_solved_and_unsolved_in_the_search_grammar(question, committed):
    thread, asker, _expert, answer, _other = question
    open_one = make_thread(space=ask_an_expert(), title="Parenting panel budget question")
    indexing.rebuild("post")
    # The filter reads the search documents' copy of the thread's answer, refreshed on commit.
    with committed():
        actions.accept_answer(actor=asker, post=answer)
    viewer = make_user()
    solved = search(viewer, "parenting status:solved")
    assert {h.obj.thread_id for h in solved.hits} == {thread.pk}
    unsolved = search(viewer, "parenting status:unsolved")
    assert {h.obj.thread_id for h in unsolved.hits} == {open_one.pk}


def test_most_helpful_experts_count_only_threads_the_viewer_reads(client, question):
    thread, asker, expert, answer, _other = question
    actions.accept_answer(actor=asker, post=answer)
    group = private_group()
    group.accepted_answers = True
    group.save(update_fields=["accepted_answers"])
    hidden = make_thread(space=group, title="A private group question for experts")
    from community.forum.models import Membership

    Membership.objects.create(user=expert, space=group)
    private_answer = actions.create_post(author=expert, thread=hidden, source="Private advice")
    actions.accept_answer(actor=make_moderator(), post=private_answer)
    client.force_login(make_user())
    html = client.get(reverse("forum:user_activity", args=["expert"])).content.decode()
    assert "Most helpful experts" in html
    assert "has 1 answer chosen" in html
    client.force_login(make_moderator())
    html = client.get(reverse("forum:user_activity", args=["expert"])).content.decode()
    assert "has 2 answers chosen" in html


def test_api_shows_accepted_answer_as_discourse_solved_does(client, question):
    thread, asker, _expert, answer, other = question
    actions.accept_answer(actor=asker, post=answer)
    client.force_login(asker)
    topic = client.get(f"/t/{thread.pk}.json").json()
    assert topic["has_accepted_answer"] is True
    assert topic["accepted_answer"]["post_number"] == answer.number
    posts = {p["id"]: p for p in topic["post_stream"]["posts"]}
    assert posts[answer.pk]["accepted_answer"] is True
    assert posts[answer.pk]["can_unaccept_answer"] is True
    assert posts[other.pk]["can_accept_answer"] is True
    listing = client.get("/c/ask-an-expert/l/latest.json").json()
    row = [t for t in listing["topic_list"]["topics"] if t["id"] == thread.pk][0]
    assert row["has_accepted_answer"] is True


def test_solved_thread_page_budget_is_pinned(
    client, question, django_assert_num_queries, committed
):
    thread, asker, _expert, answer, _other = question
    client.force_login(make_user())
    url = thread.get_absolute_url() + "?page=1"
    client.get(url)
    with django_assert_num_queries(1):  # kept page: no query for an unsolved thread's box
        client.get(url)
    with committed():  # a new write generation: the next read keeps the page again
        actions.accept_answer(actor=asker, post=answer)
    client.get(url)
    with django_assert_num_queries(2):  # one for the answer (its box is the member's hole)
        client.get(url)
