from django.core.management.base import BaseCommand

from community.search import indexing, registry


class Command(BaseCommand):
    help = "Rebuild the search index for every registered kind (or those named)."

    def add_arguments(self, parser):
        parser.add_argument("kinds", nargs="*", help="Kinds to rebuild, e.g. post.")

    def handle(self, *args, kinds, **options):
        for kind in kinds or list(registry.providers()):
            count = indexing.rebuild(kind)
            self.stdout.write(f"{kind}: {count} documents indexed")
