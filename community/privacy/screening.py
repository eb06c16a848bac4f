"""The minors' screen: registered with the forum's screening hooks."""

from __future__ import annotations

from django.utils.translation import gettext as _

from community.forum.screening import Submission, Verdict


def screen_minors(submission: Submission, verdict: Verdict) -> None:
    """Hold every post by a member under 18 for a moderator's approval (new posts and edits)."""
    author = submission.author
    if author.is_minor and not author.is_moderator:
        verdict.held_reasons.append(
            _("Posts by members under 18 are checked by a moderator before they appear.")
        )
