"""Apps built on the forum that keep their own rows for what a post contains (polls do).

A hook checks the rendered post before anything is written (raising ValidationError, which
the composer shows on the text, kept as written) and is told once the post is saved, in the
same transaction. The forum knows only this registry, never the apps behind it.
"""

from __future__ import annotations

from typing import Protocol

from community.markup import Rendered


class PostHook(Protocol):
    def check(self, *, author, space, post, rendered: Rendered) -> None:
        """Raise ValidationError if the post cannot be saved as it is (`post` is None when new)."""

    def saved(self, *, post, rendered: Rendered, created: bool) -> None:
        """Keep the app's rows in step with the saved post."""


_hooks: list[PostHook] = []


def register(hook: PostHook) -> PostHook:
    if hook not in _hooks:
        _hooks.append(hook)
    return hook


def check(*, author, space, post, rendered: Rendered) -> None:
    for hook in list(_hooks):
        hook.check(author=author, space=space, post=post, rendered=rendered)


def saved(*, post, rendered: Rendered, created: bool) -> None:
    for hook in list(_hooks):
        hook.saved(post=post, rendered=rendered, created=created)
