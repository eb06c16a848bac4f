"""manage.py import_discourse URL --api-key KEY --api-username NAME --as STAFF_USERNAME"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from community.forum.models import Topic
from importer.client import DiscourseClient, SourceError
from importer.run import DiscourseImport


class Command(BaseCommand):
    help = "Import a Discourse site's categories, tags, members, topics, posts and likes (safe to run again)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("url", help="The Discourse site, e.g. https://forum.example.org")
        parser.add_argument("--api-key", required=True)
        parser.add_argument("--api-username", required=True)
        parser.add_argument("--as", dest="actor", required=True,
                            help="The centre staff member the import is recorded as.")  # fmt: skip
        parser.add_argument("--default-topic", default="hub-model-access",
                            help="Practice topic for threads whose tags name none.")  # fmt: skip

    def handle(self, *args, url: str, api_key: str, api_username: str, actor: str,
               default_topic: str, **options) -> None:  # fmt: skip
        staff = get_user_model().objects.filter(username=actor).first()
        if staff is None or not staff.is_centre_staff:
            raise CommandError(f"--as must name a centre staff member; {actor!r} is not one.")
        topic = Topic.objects.filter(slug=default_topic).first()
        if topic is None:
            raise CommandError(f"There is no practice topic {default_topic!r}.")
        client = DiscourseClient(url, api_key=api_key, api_username=api_username)
        try:
            report = DiscourseImport(
                client, actor=staff, default_topic=topic, progress=self.stdout.write
            ).run()
        except SourceError as failed:
            raise CommandError(
                f"The source site answered something we cannot use: {failed}"
            ) from None
        finally:
            client.close()
        self.stdout.write(self.style.SUCCESS("Import finished."))
        for line in report.lines():
            self.stdout.write(f"  {line}")
