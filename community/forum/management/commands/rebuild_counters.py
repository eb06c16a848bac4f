"""Recompute the denormalised counters of threads and spaces from the posts themselves."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Count, Max, Q

from community.forum.models import Post, Space, Status, Thread

PUBLISHED = Q(posts__status=Status.PUBLISHED, posts__deleted_at__isnull=True)


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
                last = thread.real_last or thread.created_at
                if (thread.post_count, thread.highest_post_number, thread.last_post_at) != (
                    thread.real_count,
                    thread.real_highest or 0,
                    last,
                ):
                    last_post = (
                        Post.objects.filter(
                            thread=thread, status=Status.PUBLISHED, deleted_at__isnull=True
                        )
                        .select_related("author")
                        .order_by("-number")
                        .first()
                    )
                    Thread.objects.filter(pk=thread.pk).update(
                        post_count=thread.real_count,
                        highest_post_number=thread.real_highest or 0,
                        last_post_at=last,
                        last_poster_name=last_post.author.display_name if last_post else "",
                    )
                    fixed += 1
            for space in Space.objects.all():
                totals = Thread.objects.filter(
                    space=space, status=Status.PUBLISHED, deleted_at__isnull=True
                )
                agg = totals.aggregate(
                    n=Count("pk", distinct=True),
                    posts=Count("posts", filter=PUBLISHED),
                    last=Max("last_post_at"),
                )
                Space.objects.filter(pk=space.pk).update(
                    thread_count=agg["n"], post_count=agg["posts"], last_post_at=agg["last"]
                )
        self.stdout.write(self.style.SUCCESS(f"Counters rebuilt ({fixed} threads corrected)."))
