"""Event handlers: one module per part of the domain, each registering with `@handles`.

Every module in this package is imported when the app is ready, so a new part of the
domain (moderation, library, training, SupportLine) adds its own module here and
touches nothing shared.
"""

from __future__ import annotations

import importlib
import pkgutil


def load_all() -> None:
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
