"""Polls inside posts, their options and members' votes (Discourse's poll plugin, our rules).

A poll is written in its post's text (`[poll]...[/poll]`) and these rows are kept in step
with it when the post is saved. Counts are denormalised (`PollOption.votes`,
`Poll.voter_count`) and recomputed from the votes by every vote, so a page never counts.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from community.forum.models import Post


class Poll(models.Model):
    class Type(models.TextChoices):
        REGULAR = "regular", _("Choose one")
        MULTIPLE = "multiple", _("Choose several")
        NUMBER = "number", _("Pick a number")
        RANKED_CHOICE = "ranked_choice", _("Rank the options")

    class Results(models.TextChoices):
        ALWAYS = "always", _("Always")
        ON_VOTE = "on_vote", _("After voting")
        ON_CLOSE = "on_close", _("When the poll closes")
        STAFF_ONLY = "staff_only", _("Staff only")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="polls")
    name = models.CharField(max_length=50, default="poll")
    title = models.CharField(max_length=300, blank=True)
    type = models.CharField(max_length=15, choices=Type.choices, default=Type.REGULAR)
    results = models.CharField(max_length=10, choices=Results.choices, default=Results.ALWAYS)
    public = models.BooleanField(
        default=False, help_text=_("Voters' names are shown (never a member under 18).")
    )
    status = models.CharField(max_length=6, choices=Status.choices, default=Status.OPEN)
    close_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    min_choices = models.PositiveSmallIntegerField(null=True, blank=True)
    max_choices = models.PositiveSmallIntegerField(null=True, blank=True)
    step = models.PositiveSmallIntegerField(null=True, blank=True)
    voter_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "name"], name="unique_poll_name")]
        indexes = [models.Index(fields=["status", "close_at"], name="poll_due")]

    def __str__(self) -> str:
        return f"{self.post_id}:{self.name}"

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED


class PollOption(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="options")
    position = models.PositiveSmallIntegerField()
    html = models.TextField()
    text = models.CharField(max_length=500)
    # Votes for it (first preferences in a ranked-choice poll).
    votes = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["poll", "position"]
        constraints = [
            models.UniqueConstraint(fields=["poll", "position"], name="unique_option_position")
        ]

    def __str__(self) -> str:
        return self.text


class PollVote(models.Model):
    """One option a member chose (with its rank, in a ranked-choice poll)."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="votes")
    option = models.ForeignKey(PollOption, on_delete=models.CASCADE, related_name="option_votes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="poll_votes"
    )
    rank = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["option", "user"], name="unique_poll_vote")]
        indexes = [models.Index(fields=["poll", "user"], name="poll_vote_user")]
