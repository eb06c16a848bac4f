"""Who may read and write what: the one visibility rule.

Each rule comes twice: a predicate for one object (`can_read_thread`) and a queryset
filter for lists (`visible_threads`). Every read path (pages, API, search, feeds,
notifications, sockets) goes through these.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, NamedTuple

from django.core.cache import cache
from django.db.models import Q, QuerySet

from community.accounts.permissions import can_write

from .models import Membership, Post, Space, Status, Thread

if TYPE_CHECKING:
    pass


def _is_member(user) -> bool:
    return bool(user and user.is_authenticated)


def is_moderator(user) -> bool:
    return _is_member(user) and user.is_moderator


MEMBER_SPACES_SECONDS = 10 * 60


def _member_spaces_key(user_id) -> str:
    return f"member-spaces:{user_id}"


def member_space_ids(user) -> set[int]:
    """The spaces whose group this user belongs to, computed once per user object and kept
    in the shared cache between requests (forgotten whenever a membership is saved or
    deleted: see `forget_member_spaces`)."""
    if not _is_member(user):
        return set()
    cached = getattr(user, "_member_space_ids", None)
    if cached is None:
        key = _member_spaces_key(user.pk)
        cached = cache.get(key)
        if cached is None:
            cached = set(Membership.objects.filter(user=user).values_list("space_id", flat=True))
            cache.set(key, cached, MEMBER_SPACES_SECONDS)
        user._member_space_ids = cached
    return cached


def _use_member_spaces(found: dict, member) -> None:
    if member is not None:
        spaces = found.get(_member_spaces_key(member.pk))
        if spaces is not None:
            member._member_space_ids = spaces


def connect_member_spaces() -> None:
    """Read the member's groups with their session (accounts/sessions.py): one round trip
    for the session, the member and their groups, which decide what they may read."""
    from community.accounts.sessions import read_with_session

    read_with_session(lambda user_id: [_member_spaces_key(user_id)], _use_member_spaces)


def forget_member_spaces(sender, instance: Membership, **kwargs) -> None:
    """Connected to Membership's post_save and post_delete (forum/apps.py)."""
    cache.delete(_member_spaces_key(instance.user_id))


def forget_cached_access(user) -> None:
    """Drop the memberships cached on a long-lived user object (a socket's), to read them afresh."""
    try:
        del user._member_space_ids
    except AttributeError:
        pass


def thread_rule(user) -> tuple:
    """Which form the space and thread rules take for this viewer: moderators read
    everything, members by their verified mark and groups, visitors public spaces. The rules'
    SQL differs by form only (compiled list queries are kept per form, community/compiled.py)."""
    if is_moderator(user):
        return (MODERATOR,)
    if _is_member(user):
        return (AUTHOR, bool(user.is_verified_professional))
    return (VISITOR,)


def _space_q_of(rule: tuple, user_id: int | None, prefix: str = "") -> Q:
    field = f"{prefix}visibility"
    if rule[0] == VISITOR:
        return Q(**{field: Space.Visibility.PUBLIC})
    readable = [Space.Visibility.PUBLIC, Space.Visibility.MEMBERS]
    if rule[1]:  # a verified professional
        readable.append(Space.Visibility.VERIFIED)
    member_of = Membership.objects.filter(user_id=user_id).values("space_id")
    group_id = f"{prefix}id" if prefix else "id"
    return Q(**{f"{field}__in": readable}) | Q(
        **{field: Space.Visibility.GROUP, f"{group_id}__in": member_of}
    )


def _space_q(user, prefix: str = "") -> Q:
    return _space_q_of(thread_rule(user), getattr(user, "pk", None), prefix)


def visible_spaces(user, qs: QuerySet[Space] | None = None) -> QuerySet[Space]:
    qs = Space.objects.all() if qs is None else qs
    if is_moderator(user):
        return qs
    return qs.filter(_space_q(user))


def visible_spaces_by_rule(rule: tuple, user_id: int | None, qs: QuerySet[Space]) -> QuerySet:
    """visible_spaces for the viewer whose ``thread_rule`` is ``rule`` (for compiled queries:
    the SQL differs by rule only, the member's id is a parameter)."""
    if rule[0] == MODERATOR:
        return qs
    return qs.filter(_space_q_of(rule, user_id))


def can_read_space(user, space: Space) -> bool:
    if is_moderator(user):
        return True
    v = space.visibility
    if v == Space.Visibility.PUBLIC:
        return True
    if not _is_member(user):
        return False
    if v == Space.Visibility.MEMBERS:
        return True
    if v == Space.Visibility.VERIFIED:
        return user.is_verified_professional
    if v == Space.Visibility.GROUP:
        return space.pk in member_space_ids(user)
    return False


def _prefixed(prefix: str) -> Callable[[str], str]:
    return lambda name: f"{prefix}{name}"


def _thread_own_q_of(rule: tuple, user_id: int | None, field: Callable[[str], str]) -> Q:
    """The thread's own part of the rule (not its space's), with `field` naming where each
    of the thread's fields is found: on the thread, through a join, or on a copy."""
    q = Q(**{f"{field('deleted_at')}__isnull": True})
    if rule[0] == AUTHOR:
        return q & (
            Q(**{field("status"): Status.PUBLISHED})
            | Q(**{field("author_id"): user_id, field("status"): Status.HELD})
        )
    return q & Q(**{field("status"): Status.PUBLISHED})


def _thread_q_of(rule: tuple, user_id: int | None, prefix: str = "") -> Q:
    """The thread part of the rule, on the thread itself or (with a prefix) through a join."""
    return _space_q_of(rule, user_id, prefix=f"{prefix}space__") & _thread_own_q_of(
        rule, user_id, _prefixed(prefix)
    )


def _thread_q(user, prefix: str = "") -> Q:
    return _thread_q_of(thread_rule(user), getattr(user, "pk", None), prefix)


def visible_threads(user, qs: QuerySet[Thread] | None = None) -> QuerySet[Thread]:
    """Threads this user may open: readable space, not deleted, published or their own."""
    return visible_threads_by_rule(thread_rule(user), getattr(user, "pk", None), qs)


def visible_threads_by_rule(
    rule: tuple, user_id: int | None, qs: QuerySet[Thread] | None = None
) -> QuerySet[Thread]:
    """visible_threads for a viewer given by their thread_rule and id."""
    qs = Thread.objects.all() if qs is None else qs
    if rule[0] == MODERATOR:
        return qs
    return qs.filter(_thread_q_of(rule, user_id))


def _listed_q(user, prefix: str = "") -> Q:
    """Unlisted threads open by link, never from a list; moderators see them listed."""
    return _listed_q_of(thread_rule(user), _prefixed(prefix))


def _listed_q_of(rule: tuple, field: Callable[[str], str]) -> Q:
    if rule[0] == MODERATOR:
        return Q()
    return Q(**{field("is_unlisted"): False})


def listable_threads(user, qs: QuerySet[Thread] | None = None) -> QuerySet[Thread]:
    """Threads this user may find in a list, search or feed: visible and not unlisted."""
    return listable_threads_by_rule(thread_rule(user), getattr(user, "pk", None), qs)


def listable_threads_by_rule(
    rule: tuple, user_id: int | None, qs: QuerySet[Thread] | None = None
) -> QuerySet[Thread]:
    """listable_threads for a viewer given by their thread_rule and id."""
    qs = visible_threads_by_rule(rule, user_id, qs)
    return qs if rule[0] == MODERATOR else qs.filter(is_unlisted=False)


def listable_posts(user, qs: QuerySet[Post] | None = None) -> QuerySet[Post]:
    """Posts this user may find in a list or search: readable, in a thread that is listed."""
    return listable_posts_by_rule(thread_rule(user), getattr(user, "pk", None), qs)


def listable_posts_by_rule(
    rule: tuple, user_id: int | None, qs: QuerySet[Post] | None = None
) -> QuerySet[Post]:
    """listable_posts for a viewer given by their thread_rule and id (search's compiled query
    for a page of hits builds it once per rule from a stand-in id). The same filters as
    visible_posts, then the listed part; a thread rule's first item is also its post rule."""
    qs = Post.objects.all() if qs is None else qs
    if rule[0] == MODERATOR:
        return qs
    user_id = user_id if rule[0] == AUTHOR else None
    return (
        qs.filter(_thread_q_of(rule, user_id, prefix="thread__"))
        .filter(_post_q_of(rule[0], user_id))
        .filter(_listed_q_of(rule, _prefixed("thread__")))
    )


# What the rule for listable posts tests, by the names it has on a post. A table that keeps a
# copy of them beside each post (the search index) maps each name to its own column.
# "audience" is not a field of the post: it is the copy's record of whether the post's space
# is open to everyone (`post_audience`).
LISTABLE_POST_FIELDS = (
    "audience",
    "status",
    "deleted_at",
    "author_id",
    "thread__space_id",
    "thread__status",
    "thread__deleted_at",
    "thread__author_id",
    "thread__is_unlisted",
)


EVERYONE = "everyone"


def post_audience(space_visibility: str) -> str:
    """What a copy of a post records of its space's visibility: EVERYONE when the space is
    public, else nothing (who may read it is then the space's rule, read afresh)."""
    return EVERYONE if space_visibility == Space.Visibility.PUBLIC else ""


def listable_posts_by_columns(user, columns: Mapping[str, str]) -> Q:
    """The fourth form of `listable_posts`: the same rule as a filter on a table that copies
    each post's fields into columns of its own (`columns` maps each of LISTABLE_POST_FIELDS to
    its column), so that table is filtered without a join to posts, threads or spaces.

    The space part becomes `space IN (the spaces this viewer may read)`, read from the small
    spaces table as a list of ids when the filter is built (one query), so the planner knows
    which spaces and how many of the table's rows they hold; a space's visibility is always
    read afresh. A visitor's form also tests the copy's audience (`post_audience`): one
    condition, which a partial index of the posts open to everyone can answer, so a
    visitor's search walks those alone instead of every post to find the public third
    (docs/bench-national.md). The live list of spaces still decides: a space made private
    is left out at once; one made public is found by visitors once its copies are refreshed
    (`space.visibility_changed`). The copy of the post's and thread's fields is only as
    fresh as its owner keeps it.
    """
    missing = set(LISTABLE_POST_FIELDS) - set(columns)
    if missing:
        raise ValueError(f"No column for {sorted(missing)}")
    rule = thread_rule(user)
    if rule[0] == MODERATOR:
        return Q()
    user_id = user.pk if _is_member(user) else None
    readable_spaces = list(
        Space.objects.filter(_space_q_of(rule, user_id)).order_by("pk").values_list("pk", flat=True)
    )
    thread_field = lambda name: columns[f"thread__{name}"]  # noqa: E731
    everyone = Q(**{columns["audience"]: EVERYONE}) if rule[0] == VISITOR else Q()
    return (
        everyone
        & Q(**{f"{columns['thread__space_id']}__in": readable_spaces})
        & _thread_own_q_of(rule, user_id, thread_field)
        & _listed_q_of(rule, thread_field)
        & _post_q_of(post_rule(user), user_id, columns.__getitem__)
    )


def is_listable(user, thread: Thread) -> bool:
    """The one-object form of `listable_threads`."""
    return can_read_thread(user, thread) and (is_moderator(user) or not thread.is_unlisted)


def can_read_thread(user, thread: Thread) -> bool:
    if is_moderator(user):
        return True
    if thread.deleted_at is not None or not can_read_space(user, thread.space):
        return False
    if thread.status == Status.PUBLISHED:
        return True
    return thread.status == Status.HELD and _is_member(user) and thread.author_id == user.pk


def visible_tags(user, qs: QuerySet | None = None) -> QuerySet:
    """Tags on at least one thread this user may find in a list (an unlisted thread's tags
    would otherwise be confirmed by an empty tag page).

    Any other tag is as good as unknown to them (a 404 on its page and feed), so a tag used
    only in a private region or on a held or hidden thread does not reveal that it exists.
    """
    from taggit.models import Tag

    qs = Tag.objects.all() if qs is None else qs
    return qs.filter(pk__in=listable_threads(user).filter(tags__isnull=False).values("tags__id"))


def can_see_tag(user, tag) -> bool:
    """The one-object form of `visible_tags`."""
    return listable_threads(user).filter(tags=tag).exists()


def visible_posts(user, qs: QuerySet[Post] | None = None) -> QuerySet[Post]:
    """Posts this user may read, in threads they may read."""
    qs = Post.objects.all() if qs is None else qs
    if is_moderator(user):
        return qs
    # The thread's rule through a join, not `thread_id IN (visible threads)`: the planner can
    # then check the few posts a search or list has found against their threads, instead of
    # listing every visible thread of the network first (docs/bench-national.md).
    return qs.filter(_thread_q(user, prefix="thread__")).filter(_post_q(user))


VISITOR, AUTHOR = "visitor", "author"


def post_rule(user) -> str:
    """Which form the per-post rule takes for this viewer: moderators see every post,
    members the published ones and their own, visitors the published ones. The rule's SQL
    differs by form only (a compiled query is kept per form, community/compiled.py)."""
    if is_moderator(user):
        return MODERATOR
    return AUTHOR if _is_member(user) else VISITOR


def _post_q_of(rule: str, user_id: int | None, field: Callable[[str], str] | None = None) -> Q:
    if rule == MODERATOR:
        return Q()
    field = field or _prefixed("")
    published = Q(**{field("status"): Status.PUBLISHED, f"{field('deleted_at')}__isnull": True})
    if rule == AUTHOR:
        # Authors still see their own held and deleted posts, to know where they stand and restore.
        return published | Q(
            **{
                field("author_id"): user_id,
                f"{field('status')}__in": [Status.PUBLISHED, Status.HELD],
            }
        )
    return published


def _post_q(user) -> Q:
    """The per-post part of the rule, for posts of a thread already known to be readable."""
    rule = post_rule(user)
    return _post_q_of(rule, user.pk if rule == AUTHOR else None)


def posts_of_readable_thread(user, thread: Thread) -> QuerySet[Post]:
    return thread.posts.filter(_post_q(user))


def posts_of_readable_thread_by_rule(
    rule: str, user_id: int | None, thread_id: int
) -> QuerySet[Post]:
    """The same posts as posts_of_readable_thread, for a viewer given by their post_rule and
    id (the compiled thread page query builds it once per rule from stand-in ids)."""
    return Post.objects.filter(thread_id=thread_id).filter(_post_q_of(rule, user_id))


def can_read_post(user, post: Post) -> bool:
    if not can_read_thread(user, post.thread):
        return False
    if is_moderator(user):
        return True
    if post.status == Status.PUBLISHED and post.deleted_at is None:
        return True
    return _is_member(user) and post.author_id == user.pk and post.status != Status.HIDDEN


def readable_by_every_member(post: Post) -> bool:
    """Whether every signed-in member may read this post (the bulk answer of
    `can_read_post` for all members at once): published and live, in a published thread of
    a space all members read. What a page shows of it is then the same for each of them."""
    thread = post.thread
    return (
        post.status == Status.PUBLISHED
        and post.deleted_at is None
        and thread.status == Status.PUBLISHED
        and thread.deleted_at is None
        and thread.space.visibility in (Space.Visibility.PUBLIC, Space.Visibility.MEMBERS)
    )


def can_post_in_space(user, space: Space) -> bool:
    if not _is_member(user) or not can_read_space(user, space):
        return False
    if not can_write(user):
        return False  # silenced members read but do not post
    if is_moderator(user):
        return True
    if space.posting == Space.Posting.STAFF:
        return False
    if space.posting == Space.Posting.VERIFIED:
        return user.is_verified_professional
    return True


def can_reply(user, thread: Thread) -> bool:
    if not can_read_thread(user, thread) or not can_post_in_space(user, thread.space):
        return False
    if is_moderator(user):
        return not thread.is_archived
    if thread.status != Status.PUBLISHED:
        return False
    return not thread.is_closed and not thread.is_archived


class PostAbilities(NamedTuple):
    """What one member may do to one post: react, edit, delete, restore."""

    react: bool
    edit: bool
    delete: bool
    restore: bool


def post_abilities(user, thread: Thread, posts: Iterable[Post]) -> dict[int, PostAbilities]:
    """The bulk form of can_react, can_edit_post, can_delete_post and can_restore_post for
    posts of one thread, by post id: the member's side of each rule is asked once per page,
    not once per post (the one-object checks are this function for one post)."""
    member = _is_member(user)
    writer = member and can_write(user)
    moderator = is_moderator(user)
    user_id = user.pk if member else None
    archived, closed = thread.is_archived, thread.is_closed
    readable = None  # asked only if a post could be reacted to
    abilities = {}
    for post in posts:
        own, deleted = post.author_id == user_id and member, post.deleted_at is not None
        react = (
            writer
            and not own
            and post.kind == Post.Kind.POST
            and not archived
            and post.status == Status.PUBLISHED
            and not deleted
        )
        if react:
            if readable is None:
                readable = can_read_thread(user, thread)
            react = readable
        edit = (
            post.kind != Post.Kind.NOTE
            and not archived
            and writer
            and (
                moderator
                or (
                    own
                    and not deleted
                    and post.status != Status.HIDDEN
                    and post.edits_locked_at is None
                    and not closed
                )
            )
        )
        delete = not archived and (moderator or (own and post.status != Status.HIDDEN))
        restore = deleted and member and (moderator or (own and post.deleted_by_id == user_id))
        abilities[post.pk] = PostAbilities(react, edit, delete, restore)
    return abilities


def _abilities(user, post: Post) -> PostAbilities:
    return post_abilities(user, post.thread, [post])[post.pk]


def can_edit_post(user, post: Post) -> bool:
    return _abilities(user, post).edit


def can_delete_post(user, post: Post) -> bool:
    return _abilities(user, post).delete


def can_restore_post(user, post: Post) -> bool:
    """A deleted post comes back by a moderator, or by its author when they deleted it."""
    return _abilities(user, post).restore


def can_react(user, post: Post) -> bool:
    return _abilities(user, post).react


def can_manage_space(user, space: Space) -> bool:
    """Moderators and centre staff change a space's settings (who reads it, its default
    practice topic), as they may read every space."""
    return is_moderator(user) and can_read_space(user, space)


def can_create_space(user) -> bool:
    """Only centre staff add a space: the network's structure is theirs."""
    return _is_member(user) and user.is_centre_staff


def can_join_space(user, space: Space) -> bool:
    return _is_member(user) and space.kind == Space.Kind.REGIONAL and space.open_membership


def startable_spaces(user) -> list[Space]:
    """Spaces where this user may start a thread, for the composer's choice."""
    return [s for s in visible_spaces(user) if can_post_in_space(user, s)]


def readers_of_thread(thread: Thread) -> QuerySet:
    """Every active member who may read this (published) thread: the bulk form of
    `can_read_thread`, for notifying many people with one query."""
    from django.contrib.auth import get_user_model

    from community.accounts.models import User as UserModel

    users = get_user_model().objects.filter(is_active=True)
    moderators = Q(is_superuser=True) | Q(role__in=UserModel.MODERATING_ROLES)
    if thread.deleted_at is not None or thread.status != Status.PUBLISHED:
        return users.filter(moderators)
    v = thread.space.visibility
    if v in (Space.Visibility.PUBLIC, Space.Visibility.MEMBERS):
        return users
    if v == Space.Visibility.VERIFIED:
        return users.filter(moderators | Q(is_verified=True, role__in=UserModel.PROFESSIONAL_ROLES))
    if v == Space.Visibility.GROUP:
        return users.filter(moderators | Q(memberships__space_id=thread.space_id))
    return users.filter(moderators)


def readers_of_post(post: Post) -> QuerySet:
    """Members who may read this post: held and deleted posts only reach moderators and the author."""
    readers = readers_of_thread(post.thread)
    if post.status == Status.PUBLISHED and post.deleted_at is None:
        return readers
    from community.accounts.models import User as UserModel

    return readers.filter(
        Q(is_superuser=True) | Q(role__in=UserModel.MODERATING_ROLES) | Q(pk=post.author_id)
    )


# Visibility classes of shared pages (community/fragments.py): members of one class see the
# same page apart from their holes, so they share one rendering of it.
READER = "reader"
MODERATOR = "moderator"


def thread_page_class(user, thread: Thread, posts) -> str | None:
    """Which shared thread page this viewer may be given, or None for a page of their own.

    Moderators share one (they see held, hidden and deleted posts and the thread tools).
    Members share another when everything on the page is what every reader of the thread
    sees: a published thread and only published, undeleted posts. A member with something
    only they may see on the page (their own held or deleted post, their held thread) gets
    a full render, as do visitors (whose pages the anonymous page cache keeps).
    """
    if not _is_member(user):
        return None
    if is_moderator(user):
        return MODERATOR
    if thread.status != Status.PUBLISHED or thread.deleted_at is not None:
        return None
    for post in posts:
        if post.status != Status.PUBLISHED or post.deleted_at is not None:
            return None
    return READER


def layout_class(user) -> tuple | None:
    """Which members see the same base layout (templates/base.html) outside its holes: its
    links follow from being a moderator and, for the insight link, not being a minor. None
    for visitors (the anonymous page cache serves them). Pages of other apps that are shared
    between members, or kept for one, add this to their key."""
    if not _is_member(user):
        return None
    moderator = is_moderator(user)
    return (moderator, moderator and not user.is_minor)


def kept_thread_page_class(user) -> str | None:
    """The shared thread page class a viewer starts in before the page's posts are read:
    the class ``thread_page_class`` gives them on a page holding only what their class sees.
    A page kept for the class (forum/assembly.py) is still checked per request:
    `can_read_thread` for the thread, and for members whether a post of their own that
    readers do not see is on the page (then theirs is a page of their own)."""
    if not _is_member(user):
        return None
    return MODERATOR if is_moderator(user) else READER


def list_page_class(user, threads) -> tuple | None:
    """Which shared thread list this viewer may be given, or None for a list of their own.

    The rows were chosen by visible_threads for this viewer, and the shared list is keyed on
    them too; the class adds who sees the same page around them: moderators, or members with
    the same verified mark and the same groups (the spaces they may read). A list holding
    the member's own held thread is theirs alone; visitors have the anonymous page cache.
    """
    if not is_moderator(user) and any(t.status != Status.PUBLISHED for t in threads):
        return None
    return kept_list_page_class(user)


def kept_list_page_class(user) -> tuple | None:
    """The shared list class a viewer is in before any list is read: from who they are and
    their groups alone, so a list kept for the class (forum/assembly.py) is found before its
    query. Members of one class read the same rows (``listable_threads`` differs between
    them only by their own unshared threads, ``own_unshared_threads``), so they may share
    the rows as well as the page around them."""
    if not _is_member(user):
        return None
    if is_moderator(user):
        return (MODERATOR,)
    # Only groups whose space its members alone may read decide what a member lists (a
    # region's members-only group is read by every member): members of different regions
    # share a class, members of different private groups do not.
    groups = member_space_ids(user)
    if groups:
        groups = groups & _group_space_ids()
    return (READER, bool(user.is_verified_professional), frozenset(groups))


# Spaces read by their group's members only: (write generation, read at, their ids).
_group_spaces: tuple[int, float, frozenset[int]] = (0, 0.0, frozenset())
GROUP_SPACES_SECONDS = 300


def _group_space_ids() -> frozenset[int]:
    """The spaces only their group's members may read, read once per process and write
    generation (a space's visibility changes by an action whose event names the space, which
    starts a new one) and at least every GROUP_SPACES_SECONDS (a change made elsewhere)."""
    global _group_spaces
    import time

    from community import pagecache

    generation, read_at, ids = _group_spaces
    now = time.monotonic()
    current = pagecache.generation()
    if generation != current or now - read_at > GROUP_SPACES_SECONDS:
        ids = frozenset(
            Space.objects.filter(visibility=Space.Visibility.GROUP).values_list("pk", flat=True)
        )
        _group_spaces = (current, now, ids)
    return ids


def forget_group_spaces() -> None:
    """Read the group spaces afresh on next use (tests that clear the cache call it)."""
    global _group_spaces
    _group_spaces = (0, 0.0, frozenset())


def own_unshared_threads(user, qs: QuerySet[Thread] | None = None) -> QuerySet[Thread]:
    """Threads this viewer finds in lists that others of their list class do not: their own
    held threads (``_thread_own_q_of``: a member lists their held thread, readers do not).
    Nothing for moderators and visitors, whose lists hold no one's own threads."""
    if not _is_member(user) or is_moderator(user):
        return (Thread.objects.all() if qs is None else qs).none()
    return own_unshared_threads_of_member(user.pk, qs)


def own_unshared_threads_of_member(user_id: int, qs: QuerySet[Thread] | None = None) -> QuerySet:
    """own_unshared_threads for a member (not a moderator) given by id (compiled queries)."""
    qs = Thread.objects.all() if qs is None else qs
    return qs.filter(
        author_id=user_id, status=Status.HELD, deleted_at__isnull=True, is_unlisted=False
    )


def is_answerable_reply(post: Post) -> bool:
    """A published, live reply (not the question itself, nor a moderator's note)."""
    return (
        post.number > 1
        and post.kind == Post.Kind.POST
        and post.status == Status.PUBLISHED
        and post.deleted_at is None
    )


def can_accept_answer(user, thread: Thread) -> bool:
    """May this member mark (or unmark) a reply as the thread's answer?

    Where the space has accepted answers switched on: the thread's author, an expert, a
    moderator or centre staff, in a thread they can read that is not archived.
    """
    if not _is_member(user) or not thread.space.accepted_answers or thread.is_archived:
        return False
    if not can_read_thread(user, thread) or thread.status != Status.PUBLISHED:
        return False
    from community.accounts.models import User as UserModel

    return is_moderator(user) or thread.author_id == user.pk or user.role == UserModel.Role.EXPERT
