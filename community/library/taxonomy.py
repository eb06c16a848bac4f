"""The library's fixed facets that are data (audiences, age stages), loaded by a migration."""

from __future__ import annotations

AUDIENCES = [
    ("practitioner", "Practitioners"),
    ("commissioner", "Commissioners and leaders"),
    ("parent-carer", "Parents and carers"),
    ("young-person", "Young people"),
]

AGE_STAGES = [
    ("conception-2", "Conception to 2"),
    ("0-5", "0 to 5"),
    ("5-11", "5 to 11"),
    ("11-19", "11 to 19"),
    ("19-25-send", "19 to 25 (SEND)"),
]


def load_taxonomy(Audience, AgeStage) -> None:
    """Create or update the audiences and age stages (idempotent)."""
    for position, (slug, name) in enumerate(AUDIENCES):
        Audience.objects.update_or_create(slug=slug, defaults={"name": name, "position": position})
    for position, (slug, name) in enumerate(AGE_STAGES):
        AgeStage.objects.update_or_create(slug=slug, defaults={"name": name, "position": position})
