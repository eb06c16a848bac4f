"""Add the thread views buffered in the cache to the threads' counts; every minute."""

from django.core.management.base import BaseCommand

from community.forum.actions import flush_thread_views


class Command(BaseCommand):
    help = (
        "Add the thread views buffered in the cache to the threads' view counts. "
        "Safe to run again: each buffered minute is added once."
    )

    def handle(self, *args, **options) -> None:
        self.stdout.write(f"Added {flush_thread_views()} thread view(s).")
