"""Extra parts of the composer that write Markdown for the member (the poll builder).

An app registers an expander: it reads its own fields from the submitted form and returns
text to add to the post (or raises ValidationError naming its field). The forum's views call
`expand` and know nothing of the apps behind it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

Expander = Callable[[Mapping[str, str]], str]
_expanders: list[Expander] = []


def register(expander: Expander) -> Expander:
    if expander not in _expanders:
        _expanders.append(expander)
    return expander


def expand(source: str, data: Mapping[str, str]) -> str:
    """The post's text with whatever the registered parts of the composer add to it."""
    for expander in list(_expanders):
        extra = expander(data)
        if extra:
            source = f"{source.rstrip()}\n\n{extra}" if source.strip() else extra
    return source
