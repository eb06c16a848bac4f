"""Send the reminders that are due: run it every few minutes (cron or a scheduler)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from community.training.actions import send_due_reminders


class Command(BaseCommand):
    help = "Remind people with a place a day and an hour before each event (each reminder once)."

    def handle(self, *args, **options) -> None:
        run = send_due_reminders()
        self.stdout.write(f"Sent {run.day} day reminders and {run.hour} hour reminders.")
