"""Run the moderation timers that are due (expired pins); schedule every minute or so."""

from django.core.management.base import BaseCommand

from community.moderation.actions import expire_pins


class Command(BaseCommand):
    help = "Unpin threads whose pin has expired."

    def handle(self, *args, **options) -> None:
        self.stdout.write(f"Unpinned {expire_pins()} threads.")
