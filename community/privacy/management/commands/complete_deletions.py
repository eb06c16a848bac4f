from django.core.management.base import BaseCommand

from community.privacy import actions


class Command(BaseCommand):
    help = "Erase members whose account deletion grace period has ended (safeguarding holds wait)."

    def handle(self, *args, **options) -> None:
        done = actions.complete_due_deletions()
        self.stdout.write(f"{done} account(s) deleted.")
