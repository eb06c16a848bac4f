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
    email_always: bool = False  # urgent: emailed even to members who are online


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
ANSWER_ACCEPTED = register(
    Kind(
        "answer_accepted",
        str(_("{actor} marked your reply in “{title}” as the answer")),
        _post_link,
        email=True,
    )
)

# SupportLine: links point at the case (`url` in data); its handler sends its own emails.
SUPPORTLINE_RECEIVED = register(
    Kind("supportline_received", str(_("We have your SupportLine request {reference}")), data_url)
)
SUPPORTLINE_NEW = register(
    Kind("supportline_new", str(_("New SupportLine request {reference} from {region}")), data_url)
)
SUPPORTLINE_UPDATE = register(
    Kind("supportline_update", str(_("SupportLine {reference}: {what}")), data_url)
)
SUPPORTLINE_ASSIGNED = register(
    Kind(
        "supportline_assigned",
        str(_("You were asked to advise on SupportLine case {reference}")),
        data_url,
    )
)
SUPPORTLINE_MESSAGE = register(
    Kind("supportline_message", str(_("{actor} wrote in SupportLine case {reference}")), data_url)
)
SUPPORTLINE_OVERDUE = register(
    Kind(
        "supportline_overdue",
        str(_("SupportLine case {reference} is overdue for a first response")),
        data_url,
    )
)

# Training and events (community/training): links are the event page, kept in data["url"].
EVENT_REGISTERED = register(
    Kind(
        "event_registered", str(_("You have a place at “{title}” on {when}")), data_url, email=True
    )
)
EVENT_WAITLISTED = register(
    Kind(
        "event_waitlisted",
        str(_("“{title}” is full: you are on the waitlist")),
        data_url,
        email=True,
    )
)
EVENT_PROMOTED = register(
    Kind(
        "event_promoted",
        str(_("A place came free: you now have a place at “{title}”")),
        data_url,
        email=True,
    )
)
EVENT_CHANGED = register(
    Kind(
        "event_changed", str(_("“{title}” has changed: it is now on {when}")), data_url, email=True
    )
)
EVENT_CANCELLED = register(
    Kind("event_cancelled", str(_("“{title}” on {when} has been cancelled")), data_url, email=True)
)
EVENT_REMINDER_DAY = register(
    Kind(
        "event_reminder_day",
        str(_("Reminder: “{title}” is tomorrow, {when}")),
        data_url,
        email=True,
    )
)
EVENT_REMINDER_HOUR = register(
    Kind(
        "event_reminder_hour",
        str(_("Reminder: “{title}” starts within the hour ({when})")),
        data_url,
        email=True,
    )
)
EVENT_MESSAGE = register(
    Kind("event_message", str(_("Message about “{title}”: {subject}")), data_url, email=True)
)
PROPOSAL_SCHEDULED = register(
    Kind(
        "proposal_scheduled",
        str(_("A topic you supported is scheduled: “{title}” on {when}")),
        data_url,
        email=True,
    )
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


# Moderation and safeguarding
SAFEGUARDING = register(
    Kind(
        "safeguarding_concern",
        str(_("Safeguarding concern raised about a post in “{title}”")),
        data_url,
        email=True,
        email_always=True,
    )
)
POST_HELD = register(
    Kind(
        "post_held",
        str(_("Your post in “{title}” is waiting for a moderator: {reason}")),
        _post_link,
    )
)
# Links to the post's status and the appeal form (a hidden post is not readable in the
# thread); emailed at once, since a member has a right to know and to appeal.
POST_HIDDEN = register(
    Kind(
        "post_hidden",
        str(_("A moderator hid your post in “{title}”: see why and appeal")),
        data_url,
        email=True,
        email_always=True,
    )
)
# Sent to a new member whose account a moderator approved (NEW_ACCOUNTS_NEED_APPROVAL):
# they could not sign in until now, so the email is what tells them.
ACCOUNT_APPROVED = register(
    Kind(
        "account_approved",
        str(_("Your account is approved: you can now sign in to the Family Hubs Network")),
        data_url,
        email=True,
        email_always=True,
    )
)
FLAG_OUTCOME = register(
    Kind(
        "flag_outcome", str(_("Your flag on a post in “{title}” was reviewed: {outcome}")), data_url
    )
)
SILENCED = register(Kind("silenced", str(_("You cannot post until {until}: {reason}")), data_url))

# Privacy and members' rights (community/privacy): links are kept in data["url"].
EXPORT_READY = register(
    Kind("export_ready", str(_("Your data is ready to download")), data_url, email=True)
)
APPEAL_OPENED = register(
    Kind("appeal_opened", str(_("{actor} appealed a moderation decision in “{title}”")), data_url)
)
APPEAL_DECIDED = register(
    Kind(
        "appeal_decided",
        str(_("Your appeal about your post in “{title}”: {outcome}")),
        data_url,
        email=True,
    )
)
MESSAGE_APPEAL_OPENED = register(
    Kind(
        "message_appeal_opened",
        str(_("{actor} appealed a decision to hide their private message")),
        data_url,
    )
)
MESSAGE_APPEAL_DECIDED = register(
    Kind(
        "message_appeal_decided",
        str(_("Your appeal about your private message: {outcome}")),
        data_url,
        email=True,
    )
)
VISITOR_REPORT = register(
    Kind(
        "visitor_report",
        str(_("A visitor reported a post in “{title}” as urgent")),
        data_url,
        email_always=True,
    )
)
DELETION_SCHEDULED = register(
    Kind(
        "deletion_scheduled",
        str(_("Your account will be deleted on {when}. You can still change your mind.")),
        data_url,
        email=True,
    )
)

# Private messages (community/conversations): links are kept in data["url"]. Never emailed:
# an email would carry a private conversation outside the network.
PRIVATE_MESSAGE = register(
    Kind("private_message", str(_("{actor} sent you a private message: “{title}”")), data_url)
)
MESSAGE_REPORT_OUTCOME = register(
    Kind(
        "message_report_outcome",
        str(_("Your report of a private message in “{title}” was reviewed: {outcome}")),
        data_url,
    )
)
MESSAGE_HIDDEN = register(
    Kind("message_hidden", str(_("A moderator hid your private message in “{title}”")), data_url)
)
FEEDBACK_SAFEGUARDING = register(
    Kind(
        "feedback_safeguarding",
        str(_("Feedback from a family may need safeguarding attention: see the feedback inbox")),
        data_url,
        email=True,
        email_always=True,
    )
)
MESSAGE_SAFEGUARDING = register(
    Kind(
        "message_safeguarding",
        str(_("Safeguarding concern raised about a private message")),
        data_url,
        email=True,
        email_always=True,
    )
)


GONE_TEXT = str(_("A post you can no longer see"))


def still_visible(notification, viewer) -> bool:
    """Whether the post a notification points at is still readable by its member (it may have
    been hidden, deleted or moved to a group they are not in since)."""
    if notification.post_id is None:
        return True  # other kinds link to pages that apply their own rule
    from community.forum import permissions

    return permissions.can_read_post(viewer, notification.post)


def text_for(notification, viewer) -> str:
    return text_of(notification) if still_visible(notification, viewer) else GONE_TEXT


def link_for(notification, viewer) -> str:
    return link_of(notification) if still_visible(notification, viewer) else "/notifications/"
