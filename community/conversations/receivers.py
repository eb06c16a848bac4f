"""What this app does when moderation decides about a reported message.

Moderation publishes `review.resolved` with the item's snapshot and never imports this app;
this recorder runs inside the moderator's transaction, so the message is hidden (or not)
together with the decision.
"""

from __future__ import annotations

from community.moderation.models import ReviewItem


def record(event: dict) -> None:
    if event.get("type") != "review.resolved":
        return
    if event.get("kind") != ReviewItem.Kind.REPORTED_MESSAGE:
        return
    from .actions import apply_review_decision

    message_id = (event.get("data") or {}).get("message_id")
    if message_id:
        apply_review_decision(
            moderator_id=event.get("moderator_id"),
            message_id=message_id,
            decision=event["decision"],
        )
