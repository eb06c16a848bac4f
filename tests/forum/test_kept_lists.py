"""Lists kept per write generation and list class (forum/assembly.py): every viewer's list is
their full render, a warm list is one query, and no write leaves a list stale."""

from datetime import timedelta
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from community.accounts import actions as account_actions
from community.forum import actions, assembly
from community.forum.models import Thread
from community.moderation import actions as moderation_actions
from community.moderation.models import ReviewItem
from community.privacy import actions as privacy_actions
from tests.factories import (
    make_moderator,
    make_thread,
    make_user,
    national,
    private_group,
    regional_group,
)
from tests.forum.test_fragments import (
    _client_for,
    _page,
    assert_assembled_pages_match_full_renders,
    full_render,
)

pytestmark = pytest.mark.django_db

LATEST = reverse("forum:latest")
LONDON = reverse("forum:region", args=["london"])
NATIONAL = reverse("forum:space", args=["national"])


def _old_enough() -> None:
    """Relative times that hold for the whole test (pages are compared as text)."""
    then = timezone.now() - timedelta(days=2, minutes=30)
    Thread.objects.update(created_at=then, last_post_at=then)


def _londoner():
    member = make_user()
    actions.join_space(user=member, space=regional_group("london"))
    return member


@pytest.fixture
def lists():
    """Threads in the national space, London's region and a private group, one of them held
    and one unlisted; read positions that give rows of each badge."""
    opener = make_user(display_name="Opener")
    minor = make_user(role="young_person", username="younger", age_band="13-15")
    moderator = make_moderator()
    busy = make_thread(author=opener, space=national(), title="A busy national thread")
    actions.create_post(author=minor, thread=busy, source="A young person's reply")
    actions.create_post(author=opener, thread=busy, source="And a reply to it")
    make_thread(space=national(), title="A tagged national thread", tags=["evening"])
    make_thread(space=regional_group("london"), title="A London thread")
    group = private_group()
    insider = make_user()
    actions.add_member(actor=moderator, user=insider, space=group)
    make_thread(author=insider, space=group, title="Pilot group thread")
    held_author = make_user(trust_level=0)
    make_thread(author=held_author, space=national(), title="A newcomer's first thread")
    unlisted = make_thread(space=national(), title="An unlisted thread")
    Thread.objects.filter(pk=unlisted.pk).update(is_unlisted=True)
    actions.record_read(user=opener, thread=busy, number=1)
    actions.record_read(user=minor, thread=busy, number=3)
    _old_enough()
    return {
        "busy": busy,
        "opener": opener,
        "minor": minor,
        "moderator": moderator,
        "group": group,
        "insider": insider,
        "held_author": held_author,
    }


@pytest.mark.parametrize("url", [LATEST, LONDON, NATIONAL])
def test_a_warm_signed_in_list_is_one_query(lists, url, django_assert_num_queries):
    """The member's read positions in the rows (and whether a thread only they list would be
    on it): the rows and the shared list come from the list another member's request kept,
    the session, member, groups and write generation from the cache in one round trip."""
    keeper, reader = _londoner(), _londoner()
    client = _client_for(reader)
    _page(_client_for(keeper), url)  # another member of the class keeps the list
    _page(client, url)  # this member's own caches (session, member, bell, levels)
    with django_assert_num_queries(1):
        _page(client, url)


def test_kept_lists_match_full_renders_for_every_kind_of_viewer(settings, lists):
    """Latest, a region, a space and a private group: each viewer's list is exactly their
    full render whoever's request kept it (readers, region members, moderators, a member
    with their own held thread, minors, a member of the private group), and the warm path
    answered the second of each class."""
    opener, minor = lists["opener"], lists["minor"]
    reader = make_user()
    londoners = [_londoner(), _londoner()]
    actions.record_read(user=londoners[1], thread=lists["busy"], number=2)
    second_minor = make_user(role="young_person", age_band="16-17")
    viewers = [
        opener,
        reader,
        *londoners,
        lists["moderator"],
        make_moderator(),
        lists["held_author"],
        minor,
        second_minor,
        lists["insider"],
    ]
    urls = [
        LATEST,
        LATEST + "?page=1",
        LONDON,
        NATIONAL,
        NATIONAL + "?tag=evening",
    ]
    warm = []
    real = assembly.warm_list_page

    def counted(request, key):
        response = real(request, key)
        warm.append(response is not None)
        return response

    with mock.patch.object(assembly, "warm_list_page", counted):
        assert_assembled_pages_match_full_renders(settings, viewers, urls)
        assert_assembled_pages_match_full_renders(
            settings,
            [lists["insider"], lists["moderator"], make_moderator()],
            [lists["group"].get_absolute_url()],
        )
    assert any(warm), "kept lists were used"
    assert any(isinstance(k, assembly.KeptList) for k in assembly._kept.values())


def test_a_list_shows_each_write_on_the_next_read(settings, lists, committed):
    """No stale list: a new thread, a reply, a hidden thread, a move, a renamed last poster
    and an appeal that restores a thread each show on the next read of a warm list."""
    moderator, busy = lists["moderator"], lists["busy"]
    second_moderator = make_moderator()
    reader, keeper = make_user(), make_user()
    url = NATIONAL

    def warm_list() -> str:
        _page(_client_for(keeper), url)
        return _page(_client_for(reader), url)

    assert "A fresh thread" not in warm_list()
    with committed():
        fresh = make_thread(space=national(), title="A fresh thread")
    assert "A fresh thread" in warm_list()
    replier = make_user(display_name="Quick Replier")
    assert "Quick Replier" not in warm_list()
    with committed():
        actions.create_post(author=replier, thread=busy, source="Another reply")
    before = warm_list()
    assert "Quick Replier" in before
    with committed():
        account_actions.update_profile(user=replier, changes={"display_name": "Renamed Replier"})
    page = warm_list()  # the last poster's avatar shows their new initials
    with full_render(settings):
        assert page == _page(_client_for(reader), url) != before
    with committed():
        moderation_actions.move_thread(
            actor=moderator, thread=fresh, space=regional_group("london"), topic=fresh.topic
        )
    assert "A fresh thread" not in warm_list()
    opening = busy.posts.get(number=1)
    with committed():
        moderation_actions.flag_post(flagger=make_user(), post=opening, reason="inappropriate")
        item = ReviewItem.objects.get(post=opening, state="pending")
        moderation_actions.resolve_review_item(
            moderator=moderator, item=item, decision="hide", reason="Rude"
        )
    assert "A busy national thread" not in warm_list()
    opening.refresh_from_db()
    with committed():
        appeal = privacy_actions.appeal_decision(
            member=lists["opener"], post=opening, statement="It was a fair point, not rude."
        )
    assert "A busy national thread" not in warm_list()
    with committed():
        privacy_actions.decide_appeal(
            moderator=second_moderator, appeal=appeal, overturn=True, reason="It was fine"
        )
    assert "A busy national thread" in warm_list()


def test_private_held_and_hidden_threads_never_reach_another_class(lists):
    """A private group's thread kept warm for its members never shows on a non-member's list,
    nor a member's own held thread on anyone else's, nor a hidden or unlisted thread; nor a
    SupportLine case (not a forum thread at all) on any list."""
    from tests.supportline.builders import make_case

    make_case(make_user(), question="A SupportLine question about **midwifery** rotas")
    hidden = make_thread(space=national(), title="A thread hidden by moderators")
    Thread.objects.filter(pk=hidden.pk).update(status="hidden")
    insider, held_author, moderator = lists["insider"], lists["held_author"], lists["moderator"]
    outsider, londoner, reader = make_user(), _londoner(), make_user()
    group_url = lists["group"].get_absolute_url()
    for _round in range(2):  # kept by the first round, read warm by the second
        insider_latest = _page(_client_for(insider), LATEST)
        assert "Pilot group thread" in insider_latest
        assert "Pilot group thread" in _page(_client_for(insider), group_url)
        assert "A newcomer&#x27;s first thread" in _page(_client_for(held_author), LATEST)
        assert "A thread hidden by moderators" in _page(_client_for(moderator), LATEST)
        for viewer in (outsider, londoner, reader):
            page = _page(_client_for(viewer), LATEST)
            for unseen in (
                "Pilot group thread",
                "newcomer",
                "A thread hidden by moderators",
                "An unlisted thread",
                "midwifery",
            ):
                assert unseen not in page, (unseen, viewer)
            assert _client_for(viewer).get(group_url).status_code == 404
        assert _client_for(None).get(group_url).status_code == 404
    assert "midwifery" not in insider_latest


def test_a_member_who_leaves_a_group_loses_its_threads_from_a_warm_list(lists):
    """A member's groups are part of their list class: leaving the private group moves them
    to another class at once, and its thread leaves their list."""
    moderator, group = lists["moderator"], lists["group"]
    leaver, insider = make_user(), lists["insider"]
    actions.add_member(actor=moderator, user=leaver, space=group)
    client = _client_for(leaver)
    for _round in range(2):
        _page(_client_for(insider), LATEST)
        assert "Pilot group thread" in _page(client, LATEST)
    actions.remove_member(actor=moderator, user=leaver, space=group)  # not yet committed
    assert "Pilot group thread" not in _page(client, LATEST)
    assert client.get(group.get_absolute_url()).status_code == 404


def test_own_unshared_threads_are_what_a_member_lists_beyond_their_class(lists):
    """The one-object rule behind a kept list's fallback: what a member's list holds that
    another member of their class does not is exactly their own_unshared_threads."""
    from community.forum import permissions

    held_author, peer = lists["held_author"], make_user()
    assert permissions.kept_list_page_class(held_author) == permissions.kept_list_page_class(peer)
    theirs = set(permissions.listable_threads(held_author).values_list("pk", flat=True))
    peers = set(permissions.listable_threads(peer).values_list("pk", flat=True))
    own = set(permissions.own_unshared_threads(held_author).values_list("pk", flat=True))
    assert own and theirs - peers == own
    assert not permissions.own_unshared_threads(peer).exists()
    assert not permissions.own_unshared_threads(lists["moderator"]).exists()


def test_member_list_state_compiled_agrees_with_its_query(lists):
    """The compiled query (one array of ids on PostgreSQL) reads what its queryset reads,
    for every shape, whoever asks after whom."""
    from community.forum import selectors

    threads = list(Thread.objects.order_by("pk"))
    for viewer in (lists["opener"], lists["minor"], lists["held_author"], make_user()):
        for space in (None, national()):
            for rows in (threads, threads[:1]):
                state = selectors.member_list_state(viewer=viewer, threads=rows, space=space)
                built = selectors._build_member_list_rows(
                    (True, True, space is not None),
                    user_id=viewer.pk,
                    space_id=space.pk if space is not None else None,
                    thread_ids=[t.pk for t in rows],
                )
                assert sorted(state.last_read.items()) == sorted(
                    (thread_id, number)
                    for tag, thread_id, number in built
                    if tag == selectors._MARK_READ
                )
                assert state.own_unshared == any(
                    tag == selectors._MARK_OWN for tag, _id, _n in built
                )
    assert selectors.member_list_state(viewer=lists["held_author"], threads=[]).own_unshared


def test_members_of_different_regions_share_a_kept_list(lists, django_assert_num_queries):
    """Every member reads each region's members-only group, so belonging to one changes no
    list: a Londoner's request uses the list a member of another region kept. A private
    group's members are a class of their own."""
    from community.forum import permissions

    northerner, londoner, insider = make_user(), _londoner(), lists["insider"]
    actions.join_space(user=northerner, space=regional_group("north-east"))
    assert permissions.kept_list_page_class(northerner) == permissions.kept_list_page_class(
        londoner
    )
    assert permissions.kept_list_page_class(insider) != permissions.kept_list_page_class(londoner)
    client = _client_for(londoner)
    _page(client, NATIONAL)  # this member's own caches
    assembly.forget_kept_pages()
    _page(_client_for(northerner), NATIONAL)
    with django_assert_num_queries(1):
        _page(client, NATIONAL)


def test_a_space_made_group_only_leaves_non_members_lists_at_once(lists, committed):
    """A space's new visibility starts a new generation: lists kept before it, and the group
    spaces a process read for list classes, are read afresh."""
    from community.forum.models import Space

    reader, londoner = make_user(), _londoner()
    for _round in range(2):
        assert "A London thread" in _page(_client_for(reader), LATEST)
        assert "A London thread" in _page(_client_for(londoner), LATEST)
    with committed():
        actions.set_space_visibility(
            actor=lists["moderator"],
            space=regional_group("london"),
            visibility=Space.Visibility.GROUP,
        )
    for _round in range(2):
        assert "A London thread" not in _page(_client_for(reader), LATEST)
        assert "A London thread" in _page(_client_for(londoner), LATEST)
