"""A real, unmodified Discourse client (pydiscourse) against a running daphne server."""

from __future__ import annotations

import pytest
from pydiscourse import DiscourseClient
from pydiscourse.exceptions import DiscourseClientError

from api.models import ApiKey
from community.forum.models import Thread
from tests import factories as f
from tests.servers import daphne

pytestmark = pytest.mark.django_db(transaction=True)


def test_pydiscourse_reads_writes_and_moderates(network):
    alice = f.make_user(username="alice")
    f.make_moderator(username="mod")
    thread = f.make_thread(author=alice, title="Thread for the Discourse client", source="Hello")
    f.make_thread(
        author=alice, space=f.private_group(), title="Private group only", source="Secret"
    )
    key = ApiKey(description="pydiscourse", user=None, scope="write")
    secret = key.set_new_key()
    key.save()
    space = thread.space
    with daphne() as url:
        client = DiscourseClient(url, api_username="alice", api_key=secret)
        latest = client.latest_topics()
        assert thread.pk in [t["id"] for t in latest["topic_list"]["topics"]]
        categories = client.categories()
        assert space.slug in [c["slug"] for c in categories]
        assert client.category(space.pk)["category"]["id"] == space.pk
        topic = client.topic(thread.slug, thread.pk)
        assert topic["post_stream"]["posts"][0]["cooked"].strip() == "<p>Hello</p>"
        reply = client.create_post("A reply from pydiscourse", topic_id=thread.pk)
        assert reply["topic_id"] == thread.pk
        client.update_post(reply["id"], "An edited reply from pydiscourse", "clarity")
        assert client.post_by_id(reply["id"])["raw"] == "An edited reply from pydiscourse"
        new = client.create_post(
            "Opening post", category_id=space.pk, title="Started with pydiscourse",
            tags=[thread.topic.slug],
        )  # fmt: skip
        assert Thread.objects.get(pk=new["topic_id"]).author == alice
        assert client.search("edited")["posts"][0]["id"] == reply["id"]
        assert client.user("alice")["username"] == "alice"
        assert "latest_posts" in client.latest_posts()
        with pytest.raises(DiscourseClientError):
            client.update_topic_status(thread.pk, "closed", True)

        as_moderator = DiscourseClient(url, api_username="mod", api_key=secret)
        as_moderator.update_topic_status(thread.pk, "closed", True)
        thread.refresh_from_db()
        assert thread.is_closed

        outsider = DiscourseClient(url, api_username=None, api_key=None)
        titles = [t["title"] for t in outsider.latest_topics()["topic_list"]["topics"]]
        assert "Private group only" not in titles
