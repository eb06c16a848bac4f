"""Demo data beyond the forum: apps built on the forum add their part through this registry.

`manage.py seed_demo` seeds members, memberships and threads, then runs every registered
seeder with the demo members by username. The forum imports nothing above it: the library,
training and SupportLine register their seeders when their app is ready. A seeder must be
idempotent (running the command again changes nothing) and return a one-line summary.
"""

from __future__ import annotations

from collections.abc import Callable

Seeder = Callable[..., str]
_seeders: list[Seeder] = []


def register(seeder: Seeder) -> Seeder:
    """Add a seeder called as `seeder(members=dict_of_username_to_member)`."""
    if seeder not in _seeders:
        _seeders.append(seeder)
    return seeder


def seeders() -> list[Seeder]:
    return list(_seeders)
