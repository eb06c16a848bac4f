"""The registered kinds of notification: each with its own text and link.

Other parts (moderation, the library, events, SupportLine) register their kinds here
instead of scattering strings through the code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Kind:
    name: str
    # Text with {actor} and {title} placeholders, filled from the notification.
    text: str
    link: Callable[[object], str]
    email: bool = False  # sent by email to members who are away


_KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    _KINDS[kind.name] = kind
    return kind


def data_url(notification) -> str:
    """The link for kinds that are not about a post: stored in the notification's data."""
    return notification.data.get("url", "/")


def get(name: str) -> Kind:
    return _KINDS.get(name) or Kind(name=name, text=str(_("{actor}: {title}")), link=data_url)


def all_kinds() -> list[Kind]:
    return list(_KINDS.values())


def _post_link(notification) -> str:
    data = notification.data
    return f"/t/{data.get('slug', 'thread')}/{notification.thread_id}/{data.get('number', 1)}"


REPLY = register(
    Kind("reply", str(_("{actor} replied to your post in “{title}”")), _post_link, email=True)
)
MENTION = register(
    Kind("mention", str(_("{actor} mentioned you in “{title}”")), _post_link, email=True)
)
QUOTE = register(Kind("quote", str(_("{actor} quoted you in “{title}”")), _post_link, email=True))
REACTION = register(
    Kind("reaction", str(_("{actor} reacted {emoji} to your post in “{title}”")), _post_link)
)
POSTED = register(
    Kind("posted", str(_("{actor} posted in “{title}”, which you watch")), _post_link)
)
NEW_THREAD = register(
    Kind("new_thread", str(_("{actor} started “{title}” in {where}")), _post_link)
)
APPROVED = register(
    Kind("post_approved", str(_("Your post in “{title}” was approved")), _post_link)
)


# The library: links are stored in the notification's data.
LIBRARY_CONSENT = register(
    Kind(
        "library_consent",
        str(
            _(
                "{actor} would like to quote your post in the library resource “{title}”: do you agree?"
            )
        ),
        data_url,
        email=True,
    )
)
LIBRARY_REVIEW_REQUESTED = register(
    Kind(
        "library_review_requested",
        str(_("{actor} asked you to review “{title}”")),
        data_url,
        email=True,
    )
)
LIBRARY_REVIEWED = register(
    Kind("library_reviewed", str(_("{actor} {verdict} “{title}”")), data_url, email=True)
)
LIBRARY_PUBLISHED = register(
    Kind("library_published", str(_("“{title}” was published in the library")), data_url)
)
LIBRARY_REVIEW_DUE = register(
    Kind("library_review_due", str(_("“{title}” is due for review")), data_url, email=True)
)
LIBRARY_ARCHIVED = register(Kind("library_archived", str(_("“{title}” was archived")), data_url))
LIBRARY_CREDIT_CHANGED = register(
    Kind("library_credit_changed", str(_("{actor} {change} on “{title}”")), data_url)
)
LIBRARY_FEEDBACK = register(
    Kind("library_feedback", str(_("{actor} left feedback on “{title}”")), data_url)
)


def text_of(notification) -> str:
    kind = get(notification.kind)
    values = {
        "actor": notification.data.get("actor", ""),
        "title": notification.data.get("title", ""),
    }
    values.update({k: v for k, v in notification.data.items() if isinstance(v, str)})
    try:
        return kind.text.format(**values)
    except (KeyError, IndexError):
        return values["title"]


def link_of(notification) -> str:
    return get(notification.kind).link(notification)
