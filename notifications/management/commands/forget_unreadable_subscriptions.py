"""Drop members' notification levels for threads and spaces they can no longer read.

Run daily from cron (or a scheduler): moving a thread to a private space, hiding it or
leaving a group changes what a member may read, and their old levels must not outlive it.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from notifications.actions import forget_all_unreadable_subscriptions


class Command(BaseCommand):
    help = "Remove notification levels for threads and spaces members can no longer read."

    def handle(self, *args, **options) -> None:
        removed = forget_all_unreadable_subscriptions()
        self.stdout.write(f"Removed {removed} notification levels members can no longer use.")
