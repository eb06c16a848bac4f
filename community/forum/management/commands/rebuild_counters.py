"""Recompute the denormalised counters of threads and spaces from the posts themselves."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Count, Max, Q

from community.forum.actions import sync_space, sync_thread
from community.forum.models import Post, Space, Status, Thread

# The same rule as sync_thread: published, not deleted, and not a moderator's note.
PUBLISHED = Q(
    posts__status=Status.PUBLISHED, posts__deleted_at__isnull=True, posts__kind=Post.Kind.POST
)


class Command(BaseCommand):
    help = "Repair post counts, highest post numbers and last activity of threads and spaces."

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            fixed = 0
            threads = Thread.objects.annotate(
                real_count=Count("posts", filter=PUBLISHED),
                real_highest=Max("posts__number"),
                real_last=Max("posts__created_at", filter=PUBLISHED),
            )
            for thread in threads.iterator(chunk_size=500):
                actual = (
                    thread.real_count,
                    thread.real_highest or 0,
                    thread.real_last or thread.created_at,
                )
                if (thread.post_count, thread.highest_post_number, thread.last_post_at) != actual:
                    sync_thread(thread)
                    fixed += 1
            for space in Space.objects.all():
                sync_space(space)
        self.stdout.write(self.style.SUCCESS(f"Counters rebuilt ({fixed} threads corrected)."))
