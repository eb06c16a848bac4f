from django.core.management.base import BaseCommand

from community.supportline.actions import remind_overdue_cases


class Command(BaseCommand):
    help = (
        "Remind owners (or all SupportLine staff, for cases nobody has taken) of requests past "
        "their first-response deadline. Run it every working morning; each case is reminded "
        "at most once a day."
    )

    def handle(self, *args, **options) -> None:
        cases = remind_overdue_cases()
        for case in cases:
            self.stdout.write(f"Reminded: {case.reference}")
        self.stdout.write(self.style.SUCCESS(f"{len(cases)} overdue case(s) reminded."))
