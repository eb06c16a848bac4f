"""Made-up display names offered to young people (and anyone) at sign-up."""

from __future__ import annotations

import secrets

ADJECTIVES = [
    "Bright", "Calm", "Brave", "Quiet", "Kind", "Swift", "Sunny", "Clever",
    "Gentle", "Bold", "Cheerful", "Curious", "Steady", "Lively", "Happy", "Friendly",
]  # fmt: skip
ANIMALS = [
    "Otter", "Kestrel", "Badger", "Heron", "Fox", "Robin", "Hare", "Owl",
    "Puffin", "Wren", "Squirrel", "Hedgehog", "Swift", "Dolphin", "Seal", "Finch",
]  # fmt: skip


def suggest_pseudonym() -> str:
    """A friendly name that says nothing about who the member is, e.g. "Calm Heron 42"."""
    return f"{secrets.choice(ADJECTIVES)} {secrets.choice(ANIMALS)} {secrets.randbelow(90) + 10}"
