"""RSS and Atom feeds of public content only: what a signed-out visitor may read.

Every feed starts from the forum's visibility rule for an anonymous viewer (public
spaces, published, not deleted), and leaves out unlisted threads as lists do.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.contrib.syndication.views import Feed
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from taggit.models import Tag

from community.forum import permissions
from community.forum.models import Post, Space, Status, Thread, Topic
from community.siteaddress import SiteAddressFeed

ITEMS = 30
VISITOR = AnonymousUser()


def public_threads() -> QuerySet[Thread]:
    first_posts = Post.objects.filter(number=1, status=Status.PUBLISHED, deleted_at__isnull=True)
    return (
        permissions.listable_threads(VISITOR)
        .select_related("author", "space")
        .prefetch_related(Prefetch("posts", queryset=first_posts, to_attr="first_posts"))
        .order_by("-created_at", "-pk")
    )


class ThreadsFeed(SiteAddressFeed, Feed):
    """New threads, each with its opening post."""

    description_template = None

    def title(self, obj=None) -> str:
        return "Family Hubs Network: latest threads"

    def link(self, obj=None) -> str:
        return reverse("forum:latest")

    def description(self, obj=None) -> str:
        return "New public threads on the Family Hubs Network."

    def threads(self, obj) -> QuerySet[Thread]:
        return public_threads()

    def items(self, obj=None):
        return self.threads(obj)[:ITEMS]

    def item_title(self, item: Thread) -> str:
        return item.title

    def item_description(self, item: Thread) -> str:
        return item.first_posts[0].html if item.first_posts else ""

    def item_link(self, item: Thread) -> str:
        return item.get_absolute_url()

    def item_author_name(self, item: Thread) -> str:
        return item.author.display_name

    def item_pubdate(self, item: Thread):
        return item.created_at

    def item_updateddate(self, item: Thread):
        return item.last_post_at

    def item_categories(self, item: Thread) -> list[str]:
        return [item.space.name]


class SpaceFeed(ThreadsFeed):
    def get_object(self, request, slug: str) -> Space:
        return get_object_or_404(Space, slug=slug, visibility=Space.Visibility.PUBLIC)

    def title(self, obj=None) -> str:
        return f"Family Hubs Network: {obj.name}"

    def link(self, obj=None) -> str:
        return obj.get_absolute_url()

    def description(self, obj=None) -> str:
        return obj.description or f"New threads in {obj.name}."

    def threads(self, obj):
        return public_threads().filter(space=obj)


class TopicFeed(ThreadsFeed):
    def get_object(self, request, slug: str) -> Topic:
        return get_object_or_404(Topic, slug=slug)

    def title(self, obj=None) -> str:
        return f"Family Hubs Network: {obj.name}"

    def link(self, obj=None) -> str:
        return obj.get_absolute_url()

    def description(self, obj=None) -> str:
        return obj.description or f"New threads about {obj.name}."

    def threads(self, obj):
        return public_threads().filter(topic=obj)


class TagFeed(ThreadsFeed):
    def get_object(self, request, slug: str) -> Tag:
        tag = get_object_or_404(Tag, slug=slug)
        if not permissions.can_see_tag(VISITOR, tag):
            raise Http404("No such tag")  # as for a tag nobody used
        return tag

    def title(self, obj=None) -> str:
        return f"Family Hubs Network: tagged {obj.name}"

    def link(self, obj=None) -> str:
        return reverse("forum:tag", args=[obj.slug])

    def description(self, obj=None) -> str:
        return f"New threads tagged {obj.name}."

    def threads(self, obj):
        return public_threads().filter(tags__slug=obj.slug)


class ThreadFeed(SiteAddressFeed, Feed):
    """The posts of one public thread, newest first."""

    def get_object(self, request, thread_id: int) -> Thread:
        thread = public_threads().filter(pk=thread_id).first()
        if thread is None:
            raise Http404("No such thread")
        return thread

    def title(self, obj: Thread) -> str:
        return obj.title

    def link(self, obj: Thread) -> str:
        return obj.get_absolute_url()

    def description(self, obj: Thread) -> str:
        return f"Posts in “{obj.title}” on the Family Hubs Network."

    def items(self, obj: Thread):
        posts = permissions.posts_of_readable_thread(VISITOR, obj).filter(kind=Post.Kind.POST)
        rows = list(posts.select_related("author").order_by("-number")[:ITEMS])
        for post in rows:
            post.thread = obj
        return rows

    def item_title(self, item: Post) -> str:
        return f"{item.thread.title} #{item.number}"

    def item_description(self, item: Post) -> str:
        return item.html

    def item_link(self, item: Post) -> str:
        return item.thread.post_url(item.number)

    def item_author_name(self, item: Post) -> str:
        return item.author.display_name

    def item_pubdate(self, item: Post):
        return item.created_at

    def item_updateddate(self, item: Post):
        return item.edited_at or item.created_at


def atom(feed_class: type[Feed]) -> type[Feed]:
    """The same feed as Atom 1.0."""
    return type(
        f"Atom{feed_class.__name__}",
        (feed_class,),
        {"feed_type": Atom1Feed, "subtitle": feed_class.description},
    )
