from django.core.management.base import BaseCommand

from webhooks.delivery import retry_due


class Command(BaseCommand):
    help = "Send again the webhook deliveries whose retry time has come (every minute)."

    def handle(self, *args, **options) -> None:
        self.stdout.write(f"{retry_due()} deliveries attempted.")
