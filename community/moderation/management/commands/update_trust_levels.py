"""Promote members whose activity has earned a higher trust level; run daily."""

from django.core.management.base import BaseCommand

from community.moderation.trust import update_trust_levels


class Command(BaseCommand):
    help = "Promote members to the trust level their activity has earned."

    def handle(self, *args, **options) -> None:
        self.stdout.write(f"Promoted {update_trust_levels()} members.")
