"""Spaces, threads and posts, with the counters that keep pages cheap.

Counters (`post_count`, `highest_post_number`, `last_post_at`...) are written by
actions with F() expressions; `manage.py rebuild_counters` repairs drift.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager

from community.accounts.models import Region


class Topic(models.Model):
    """A practice area; every thread has one."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("forum:topic", args=[self.slug])


class Space(models.Model):
    """Where a thread lives and whose rules it follows."""

    class Kind(models.TextChoices):
        NATIONAL = "national", _("National")
        REGIONAL = "regional", _("Regional group")
        COMMUNITY = "community", _("Community space")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Everyone, including visitors")
        MEMBERS = "members", _("Signed-in members")
        GROUP = "group", _("Group members only")
        VERIFIED = "verified", _("Verified professionals only")
        STAFF = "staff", _("Moderators and staff only")

    class Posting(models.TextChoices):
        READERS = "readers", _("Everyone who can read it")
        VERIFIED = "verified", _("Verified professionals")
        STAFF = "staff", _("Moderators and staff")

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    region = models.OneToOneField(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="group"
    )
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.MEMBERS
    )
    posting = models.CharField(max_length=10, choices=Posting.choices, default=Posting.READERS)
    premoderated = models.BooleanField(
        default=False, help_text=_("New threads and replies wait for a moderator's approval.")
    )
    min_trust_level_to_start = models.PositiveSmallIntegerField(
        default=0,
        help_text=_("Trust level a member needs to start threads here (moderators always can)."),
    )
    default_topic = models.ForeignKey(
        Topic,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_(
            "The practice topic a thread started here through the API gets when its client "
            "names none. The site's own form always asks for one."
        ),
    )
    open_membership = models.BooleanField(
        default=True, help_text=_("Members may join and leave this group themselves.")
    )
    accepted_answers = models.BooleanField(
        default=False,
        help_text=_("A reply can be marked as the answer to a thread's question (Ask an expert)."),
    )
    position = models.PositiveSmallIntegerField(default=0)
    thread_count = models.PositiveIntegerField(default=0)
    post_count = models.PositiveIntegerField(default=0)
    last_post_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("forum:space", args=[self.slug])


class Membership(models.Model):
    """A member of a space's group (regional groups and private spaces)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="memberships")
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "space"], name="unique_membership")]


class Status(models.TextChoices):
    PUBLISHED = "published", _("Published")
    HELD = "held", _("Awaiting approval")
    HIDDEN = "hidden", _("Hidden by a moderator")


class Thread(models.Model):
    space = models.ForeignKey(Space, on_delete=models.PROTECT, related_name="threads")
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="threads")
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, allow_unicode=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="threads"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PUBLISHED)
    created_at = models.DateTimeField(default=timezone.now)
    is_closed = models.BooleanField(default=False)
    is_pinned = models.BooleanField(default=False)
    pinned_globally = models.BooleanField(
        default=False, help_text=_("Pinned at the top of every list.")
    )
    pinned_until = models.DateTimeField(null=True, blank=True)
    is_archived = models.BooleanField(
        default=False, help_text=_("Read-only: no replies, edits or reactions.")
    )
    is_unlisted = models.BooleanField(
        default=False, help_text=_("Left out of lists; open by its link.")
    )
    slow_mode_seconds = models.PositiveIntegerField(
        default=0, help_text=_("Each member may post once per this many seconds (0: off).")
    )
    timer_action = models.CharField(
        max_length=6, blank=True, choices=[("close", _("Close")), ("reopen", _("Reopen"))]
    )
    timer_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    # Where this thread's posts went when a moderator merged it: its address leads there.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The reply marked as the answer, where the space has accepted answers switched on.
    accepted_answer = models.ForeignKey(
        "Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Denormalised so that lists and pagination never count rows.
    post_count = models.PositiveIntegerField(default=0)
    highest_post_number = models.PositiveIntegerField(default=0)
    like_count = models.PositiveIntegerField(default=0)
    # Views are buffered in the cache by the thread page and added here by the
    # flush_thread_views job (forum/viewcounts.py), so a read never writes this row.
    view_count = models.PositiveIntegerField(default=0)
    last_post_at = models.DateTimeField(default=timezone.now)
    last_poster_name = models.CharField(max_length=80, blank=True)
    # Who wrote the last published post, for the lists' avatar (its name is kept above).
    last_poster = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    tags = TaggableManager(blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["-pinned_globally", "-last_post_at"], name="thread_latest"),
            models.Index(
                fields=["space", "-is_pinned", "-last_post_at"], name="thread_space_latest"
            ),
            models.Index(fields=["topic", "-last_post_at"], name="thread_topic_latest"),
            models.Index(fields=["author", "-created_at"], name="thread_author"),
            models.Index(fields=["-created_at"], name="thread_created"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("forum:thread", args=[self.slug, self.pk])

    def post_url(self, number: int) -> str:
        return reverse("forum:post", args=[self.slug, self.pk, number])

    @property
    def reply_count(self) -> int:
        return max(self.post_count - 1, 0)

    @property
    def is_solved(self) -> bool:
        return self.accepted_answer_id is not None


class Post(models.Model):
    class Kind(models.TextChoices):
        POST = "post", _("Post")
        NOTE = "note", _("Moderator note")

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="posts")
    kind = models.CharField(max_length=4, choices=Kind.choices, default=Kind.POST)
    number = models.PositiveIntegerField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="posts"
    )
    source = models.TextField()
    html = models.TextField()
    text = models.TextField(blank=True, help_text=_("Plain text, for search and emails."))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PUBLISHED)
    reply_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replies"
    )
    # Copied from reply_to so a page shows "in reply to" without a join per post.
    reply_to_number = models.PositiveIntegerField(null=True, blank=True)
    reply_to_name = models.CharField(max_length=80, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    revision_count = models.PositiveIntegerField(default=0)
    # A moderator locked the post against its author's edits (what it says is kept as it is).
    edits_locked_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reaction_counts = models.JSONField(default=dict, blank=True)
    mentions = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="mentioned_in"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["thread", "number"], name="unique_post_number")
        ]
        indexes = [models.Index(fields=["author", "-created_at"], name="post_author")]
        ordering = ["thread", "number"]

    def __str__(self) -> str:
        return f"{self.thread_id}#{self.number}"

    def get_absolute_url(self) -> str:
        return reverse("forum:post", args=[self.thread.slug, self.thread_id, self.number])

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class PostRevision(models.Model):
    """The text a post had before an edit: who changed it, when, and why."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    editor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    source_before = models.TextField()
    source_after = models.TextField()
    reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["post", "number"]
        constraints = [models.UniqueConstraint(fields=["post", "number"], name="unique_revision")]


class Reaction(models.Model):
    class Kind(models.TextChoices):
        LIKE = "like", "❤️"
        THANKS = "thanks", "🙏"
        INSIGHTFUL = "insightful", "💡"
        AGREE = "agree", "👍"
        CELEBRATE = "celebrate", "🎉"

    LABELS = {
        "like": _("Like"),
        "thanks": _("Thanks"),
        "insightful": _("Insightful"),
        "agree": _("Agree"),
        "celebrate": _("Celebrate"),
    }

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reactions"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "user", "kind"], name="unique_reaction")
        ]


class Bookmark(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="bookmarks")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bookmarks"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "user"], name="unique_bookmark")]


class ThreadViewFlush(models.Model):
    """One buffered period of thread views, added to the threads' counts.

    Written in the transaction that adds the period's views, unique per period: a second
    flush of the same period (the job run twice, two workers) fails on it and adds nothing.
    """

    slot = models.BigIntegerField(unique=True, help_text=_("Start of the period (Unix seconds)."))
    views = models.PositiveIntegerField(default=0)
    flushed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"views of period {self.slot}"


class ThreadRead(models.Model):
    """How far a member has read a thread; written by one upsert per page view."""

    # No index of its own: the unique (user, thread) index leads with the member and serves
    # every read by member. With a second index on the member alone, PostgreSQL's generic plan
    # for a prepared "this member's positions in these threads" (selectors.member_list_state)
    # took it and filtered all of the member's rows by thread: 2 ms instead of 0.15 at a
    # million posts (docs/bench-national.md).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="+")
    last_read_number = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "thread"], name="unique_thread_read")
        ]


class Attachment(models.Model):
    """An image or PDF uploaded with a post, stored through Django's storage API."""

    class Kind(models.TextChoices):
        IMAGE = "image", _("Image")
        PDF = "pdf", _("PDF")

    post = models.ForeignKey(
        Post, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    uploader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=5, choices=Kind.choices)
    file = models.FileField(upload_to="attachments/%Y/%m/")
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def get_absolute_url(self) -> str:
        return reverse("forum:attachment", args=[self.pk, self.original_name])


class Draft(models.Model):
    """What a member was writing and has not posted yet: a reply (by thread) or a new thread
    (by space, or no space yet). Saved by actions.save_draft, removed when the post is made."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    thread = models.ForeignKey(
        Thread, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    space = models.ForeignKey(
        Space, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    title = models.CharField(max_length=200, blank=True)
    source = models.TextField(blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "thread"],
                condition=models.Q(thread__isnull=False),
                name="unique_reply_draft",
            ),
            models.UniqueConstraint(
                fields=["user", "space"],
                condition=models.Q(thread__isnull=True, space__isnull=False),
                name="unique_thread_draft",
            ),
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(thread__isnull=True, space__isnull=True),
                name="unique_unplaced_draft",
            ),
        ]
