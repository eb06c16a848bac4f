"""Run the moderation timers that are due (expired pins); schedule every minute or so."""

from django.core.management.base import BaseCommand

from community.moderation.actions import expire_pins, run_due_timers


class Command(BaseCommand):
    help = "Unpin threads whose pin has expired, and close or reopen threads whose timer is due."

    def handle(self, *args, **options) -> None:
        self.stdout.write(
            f"Unpinned {expire_pins()} threads; ran {run_due_timers()} thread timers."
        )
