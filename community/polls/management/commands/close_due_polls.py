from django.core.management.base import BaseCommand

from community.polls.tasks import close_due_polls_task


class Command(BaseCommand):
    help = "Close polls whose closing time (close=) has passed. Safe to run again; every minute."

    def handle(self, *args, **options) -> None:
        closed = close_due_polls_task()
        self.stdout.write(f"Closed {closed} poll(s).")
