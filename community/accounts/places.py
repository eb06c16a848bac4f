"""Regions and local authorities are data (data/*.csv), never code."""

from __future__ import annotations

import csv
from pathlib import Path

from django.utils.text import slugify

DATA_DIR = Path(__file__).resolve().parent / "data"


def load_places(Region, LocalAuthority) -> tuple[int, int]:
    """Create or update every region and local authority; return how many of each exist."""
    regions = {}
    with open(DATA_DIR / "regions.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            region, _ = Region.objects.update_or_create(
                slug=row["slug"], defaults={"ons_code": row["ons_code"], "name": row["name"]}
            )
            regions[region.slug] = region
    with open(DATA_DIR / "local_authorities.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            LocalAuthority.objects.update_or_create(
                slug=slugify(row["name"]),
                defaults={
                    "name": row["name"],
                    "region": regions[row["region_slug"]],
                    "programme_cohort": row["programme_cohort"],
                },
            )
    return len(regions), LocalAuthority.objects.count()
