""" "Download my data" holds the member's own poll votes and feedback, and nobody else's."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from community.accounts.models import Region
from community.feedback.actions import submit_feedback
from community.polls import actions as poll_actions
from community.polls.models import Poll
from community.privacy.export import README, build_zip
from tests.factories import make_thread, make_user

pytestmark = pytest.mark.django_db

POLL = "When?\n\n[poll name=when type=regular]\n# Best time\n* Morning\n* Evening\n[/poll]"


def unzip(content: bytes) -> dict:
    archive = zipfile.ZipFile(io.BytesIO(content))
    return {
        name.removesuffix(".json"): json.loads(archive.read(name))
        for name in archive.namelist()
        if name.endswith(".json")
    }


def test_export_holds_the_members_poll_votes_and_not_others(adult):
    thread = make_thread(title="Stay and play timing", source=POLL)
    poll = Poll.objects.get(post__thread=thread)
    morning, evening = poll.options.order_by("position")
    poll_actions.cast_vote(voter=adult, poll=poll, option_ids=[evening.pk])
    poll_actions.cast_vote(voter=make_user(), poll=poll, option_ids=[morning.pk])
    data = unzip(build_zip(adult))
    [vote] = data["poll_votes"]
    assert (vote["poll"], vote["option"], vote["thread_title"]) == (
        "when", "Evening", "Stay and play timing"
    )  # fmt: skip
    assert vote["post_id"] == poll.post_id and vote["voted_at"]


def test_export_holds_the_feedback_the_member_sent_signed_in(adult, minor):
    region = Region.objects.get(slug="london")
    submit_feedback(
        author=adult, who="parent_carer", need="Evening sessions for working dads",
        region=region, credit_consent=True, credit_name="Adele",
    )  # fmt: skip
    submit_feedback(author=minor, who="young_person", worked="The youth club drop-in")
    submit_feedback(author=None, who="other", need="Anonymous words", client_key="1.2.3.4")
    data = unzip(build_zip(adult))
    [mine] = data["feedback"]
    assert mine["what_you_need"] == "Evening sessions for working dads"
    assert (mine["region"], mine["credit_name"]) == (region.name, "Adele")
    assert "safeguarding" not in mine and "matches" not in mine
    everything = json.dumps(data)
    assert "youth club" not in everything and "Anonymous words" not in everything
    assert [r["what_worked"] for r in unzip(build_zip(minor))["feedback"]] == [
        "The youth club drop-in"
    ]


def test_the_readme_names_the_new_files():
    assert "poll_votes.json" in README and "feedback.json" in README
