"""Queue the daily or weekly summary emails; run from cron (or a scheduler) once per period."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from notifications.emails import send_digest
from notifications.models import Preferences


class Command(BaseCommand):
    help = "Queue digest emails for members who chose this frequency."

    def add_arguments(self, parser) -> None:
        parser.add_argument("frequency", choices=["daily", "weekly"])

    def handle(self, *args, frequency: str, **options) -> None:
        user_ids = Preferences.objects.filter(digest=frequency, user__is_active=True).values_list(
            "user_id", flat=True
        )
        queued = 0
        for user_id in user_ids.iterator():
            send_digest.enqueue(user_id, frequency)
            queued += 1
        self.stdout.write(f"Queued {queued} {frequency} digests.")
