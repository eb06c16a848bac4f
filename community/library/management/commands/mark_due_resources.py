from __future__ import annotations

from django.core.management.base import BaseCommand

from community.library import actions


class Command(BaseCommand):
    help = "Mark published resources whose review date has come as review due (run daily)."

    def handle(self, *args, **options) -> None:
        marked = actions.mark_due_resources()
        self.stdout.write(f"{len(marked)} resource(s) marked as review due.")
