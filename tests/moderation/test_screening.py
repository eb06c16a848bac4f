import pytest
from django.core.exceptions import ValidationError

from community.forum import actions
from community.forum.models import Status
from community.moderation import actions as moderation_actions
from community.moderation.models import ReviewItem, WatchedWord
from community.moderation.screening import find_personal_data
from notifications.models import Notification
from tests.factories import make_moderator, make_thread, make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "text,kind",
    [
        ("Call me on 07700 900123 after six", "phone number"),
        ("my number is +44 7700 900 123", "phone number"),
        ("ring the house on 0114 496 0999", "phone number"),
        ("email me at jo.bloggs@example.co.uk", "email address"),
        ("we live near S1 2HE in town", "postcode"),
        ("postcode sw1a1aa", "postcode"),
        ("her NHS number is 943 476 5919", "NHS number"),
        ("my son was born on 14/03/2019", "date of birth"),
        ("DOB 3rd May 2021", "date of birth"),
    ],
)
def test_personal_data_is_found(text, kind):
    assert kind in {m.kind for m in find_personal_data(text)}


@pytest.mark.parametrize(
    "text",
    [
        "Childline is free on 0800 1111 and Samaritans on 116 123",
        "The session is on 14/03/2026 at the hub",
        "We saw 120 families in 2025 and 340 in 2026",
        "Our SE1 hub opens soon",
        "Email the team through the contact form",
        "A reference like 123 456 7890 is not an NHS number",
    ],
)
def test_near_misses_are_left_alone(text):
    assert find_personal_data(text) == []


def test_parents_post_with_a_phone_number_is_held_highlighted_and_explained(committed):
    parent = make_user(role="parent_carer")
    thread = make_thread()
    with committed():
        post = actions.create_post(
            author=parent, thread=thread, source="Text me on 07700 900123 please"
        )
    assert post.status == Status.HELD
    item = ReviewItem.objects.get(post=post)
    assert item.kind == "held_post" and item.priority == ReviewItem.Priority.HIGH
    assert ["phone number", "07700 900123"] in item.matches
    told = Notification.objects.get(user=parent, kind="post_held")
    assert "phone number" in told.data["reason"]


def test_practitioners_are_not_screened_for_personal_data():
    post = actions.create_post(
        author=make_user(), thread=make_thread(), source="Hub line: 0114 496 0999"
    )
    assert post.status == Status.PUBLISHED


def test_new_members_first_post_waits_then_later_ones_do_not():
    newcomer = make_user(trust_level=0)
    thread = make_thread()
    first = actions.create_post(author=newcomer, thread=thread, source="Hello from a new member")
    assert first.status == Status.HELD
    moderation_actions.resolve_review_item(
        moderator=make_moderator(), item=ReviewItem.objects.get(post=first), decision="approve"
    )
    second = actions.create_post(author=newcomer, thread=thread, source="And a second post")
    assert second.status == Status.PUBLISHED


def test_new_members_cannot_post_links():
    with pytest.raises(ValidationError, match="links"):
        actions.create_post(
            author=make_user(trust_level=0), thread=make_thread(), source="See https://example.com"
        )


def test_daily_post_limit_for_new_members(settings):
    settings.NEW_MEMBER_POSTS_HELD = 0
    settings.POSTS_PER_MINUTE = 100
    newcomer = make_user(trust_level=0)
    thread = make_thread()
    for i in range(10):
        actions.create_post(author=newcomer, thread=thread, source=f"Post number {i}")
    with pytest.raises(ValidationError, match="today's limit"):
        actions.create_post(author=newcomer, thread=thread, source="One too many")


def test_watched_words_block_hold_censor_and_flag():
    moderator = make_moderator()
    moderation_actions.add_watched_word(
        moderator=moderator, pattern="badword", is_regex=False, action="block"
    )
    moderation_actions.add_watched_word(
        moderator=moderator, pattern="checkme", is_regex=False, action="approve"
    )
    moderation_actions.add_watched_word(
        moderator=moderator, pattern=r"rude\w*", is_regex=True, action="censor"
    )
    moderation_actions.add_watched_word(
        moderator=moderator, pattern="lookhere", is_regex=False, action="flag"
    )
    thread = make_thread()
    member = make_user()
    with pytest.raises(ValidationError, match="badword"):
        actions.create_post(author=member, thread=thread, source="This has badword in it")
    assert (
        actions.create_post(author=member, thread=thread, source="please checkme").status
        == Status.HELD
    )
    censored = actions.create_post(author=member, thread=thread, source="so rudeness here")
    assert "rudeness" not in censored.source and "■■■" in censored.html
    flagged = actions.create_post(author=member, thread=thread, source="lookhere now")
    assert flagged.status == Status.PUBLISHED
    assert ReviewItem.objects.filter(post=flagged, kind="flagged_post").exists()


def test_a_watched_word_applies_to_the_next_post_while_the_list_is_cached(
    django_assert_num_queries,
):
    """Posts read the watched words from the shared cache; adding or removing one (through the
    moderators' page, the admin or anywhere else) takes effect on the next post."""
    from community.moderation import screening

    moderator, member = make_moderator(), make_user()
    thread = make_thread()
    assert actions.create_post(author=member, thread=thread, source="fine words here").pk
    with django_assert_num_queries(0):  # cached by the post before
        assert screening.watched_words() == []
    word = moderation_actions.add_watched_word(
        moderator=moderator, pattern="checkme", is_regex=False, action="approve"
    )
    held = actions.create_post(author=member, thread=thread, source="please checkme")
    assert held.status == Status.HELD
    moderation_actions.remove_watched_word(moderator=moderator, word=word)
    assert actions.create_post(author=member, thread=thread, source="checkme again").status == (
        Status.PUBLISHED
    )
    WatchedWord.objects.create(
        pattern="banned", is_regex=False, action="block", created_by=moderator
    )
    with pytest.raises(ValidationError, match="banned"):
        actions.create_post(author=member, thread=thread, source="a banned word")


def test_watched_word_regex_is_tested_before_saving():
    moderator = make_moderator()
    with pytest.raises(ValidationError, match="does not work"):
        moderation_actions.add_watched_word(
            moderator=moderator, pattern="(unclosed", is_regex=True, action="block"
        )
    with pytest.raises(ValidationError, match="ordinary text"):
        moderation_actions.add_watched_word(
            moderator=moderator, pattern=r"\w+", is_regex=True, action="block"
        )
    assert moderation_actions.try_watched_word(
        pattern="hub", is_regex=False, sample="the hub and hubs"
    ) == ["hub"]
    assert not WatchedWord.objects.exists()


def test_posting_too_fast_is_refused_with_the_wait(settings):
    settings.POSTS_PER_MINUTE = 2
    member = make_user()
    thread = make_thread()
    actions.create_post(author=member, thread=thread, source="One reply")
    actions.create_post(author=member, thread=thread, source="Two replies")
    with pytest.raises(ValidationError, match="posting very quickly"):
        actions.create_post(author=member, thread=thread, source="Three is too many")
    assert actions.create_post(
        author=make_moderator(), thread=thread, source="Moderators are not limited"
    )


def test_the_watched_words_are_read_with_the_posters_rate_count(monkeypatch):
    """On Redis, one round trip for both before the reply is written (issue 15); a word
    added between two posts still holds the second."""
    from django.core.cache import cache, caches

    from community.moderation import screening
    from tests.conftest import require_service

    require_service("Redis (REDIS_URL)", hasattr(cache, "count_and_read"))
    moderator, member, thread = make_moderator(), make_user(), make_thread()
    moderation_actions.add_watched_word(
        moderator=moderator, pattern="checkme", is_regex=False, action="approve"
    )
    actions.create_post(author=member, thread=thread, source="A first reply")  # the list cached
    single_reads = []
    backend = caches["default"]
    get = backend.get

    def counted_get(key, *args, **kwargs):
        single_reads.append(key)
        return get(key, *args, **kwargs)

    monkeypatch.setattr(backend, "get", counted_get)
    assert actions.create_post(author=member, thread=thread, source="please checkme").status == (
        Status.HELD
    )
    assert screening.WATCHED_WORDS_KEY not in single_reads
    moderation_actions.add_watched_word(
        moderator=moderator, pattern="newword", is_regex=False, action="approve"
    )
    assert actions.create_post(author=member, thread=thread, source="a newword").status == (
        Status.HELD
    )
