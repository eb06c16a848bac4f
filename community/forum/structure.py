"""The network's topics and spaces: loaded once, kept in step with data/topics.csv."""

from __future__ import annotations

import csv
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"

COMMUNITY_SPACES = [
    # slug, name, description, visibility, posting, premoderated
    ("parents-and-carers", "Parents and carers",
     "Tell us what helps your family and what could be better. Please keep names and details of children private.",
     "members", "readers", True),
    ("young-people", "Young people",
     "Youth voice: what works for you, what doesn't, and ideas for your family hub.",
     "members", "readers", True),
    ("la-leads", "LA leads",
     "For verified commissioners and family hub leads in local authorities.",
     "verified", "verified", False),
    ("ask-an-expert", "Ask an expert",
     "Questions for the centre's experts on setting up and delivering family hubs.",
     "members", "readers", False),
    ("announcements", "Announcements",
     "News from the National Centre for Family Hubs.",
     "public", "staff", False),
    ("library-suggestions", "Library suggestions",
     "Suggest resources, evidence and practice examples for the library.",
     "members", "readers", False),
]  # fmt: skip


def load_structure(Region, Topic, Space) -> None:
    with open(DATA_DIR / "topics.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            Topic.objects.update_or_create(
                slug=row["slug"], defaults={"name": row["name"], "description": row["description"]}
            )
    Space.objects.get_or_create(
        slug="national",
        defaults={
            "name": "National",
            "description": "Practice and delivery across England: share what works and ask the network.",
            "kind": "national",
            "visibility": "public",
            "position": 0,
        },
    )
    for index, region in enumerate(Region.objects.order_by("name"), start=1):
        Space.objects.get_or_create(
            region=region,
            defaults={
                "slug": region.slug,
                "name": f"{region.name} group",
                "description": f"Practitioners and leads working in family hubs across {region.name}.",
                "kind": "regional",
                "visibility": "members",
                "position": 10 + index,
            },
        )
    for index, (slug, name, description, visibility, posting, premoderated) in enumerate(
        COMMUNITY_SPACES
    ):
        Space.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "description": description,
                "kind": "community",
                "visibility": visibility,
                "posting": posting,
                "premoderated": premoderated,
                "open_membership": False,
                "position": 30 + index,
            },
        )
    if any(f.name == "accepted_answers" for f in Space._meta.get_fields()):
        # Accepted answers are on in Ask an expert by default (a later migration's field).
        Space.objects.filter(slug="ask-an-expert").update(accepted_answers=True)
    set_default_topics(Topic, Space)


# Where a thread started through the API without a practice topic goes, until staff choose
# a better default for a space: the topic about how hubs are run and reached.
DEFAULT_API_TOPIC = "hub-model-access"


def set_default_topics(Topic, Space) -> None:
    """Give spaces without one the default practice topic (skipped before the field exists)."""
    if not any(f.name == "default_topic" for f in Space._meta.fields):
        return
    topic = Topic.objects.filter(slug=DEFAULT_API_TOPIC).first()
    if topic is not None:
        Space.objects.filter(default_topic__isnull=True).update(default_topic=topic)
