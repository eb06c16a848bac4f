"""A real, unmodified Discourse client (pydiscourse) against a running daphne server: topics,
posts, likes, bookmarks, private messages, users and groups, with form and JSON bodies."""

from __future__ import annotations

import pytest
from pydiscourse import DiscourseClient
from pydiscourse.exceptions import DiscourseClientError

from api.models import ApiKey
from community.forum.models import Bookmark, Post, Thread
from tests import factories as f
from tests.servers import daphne

pytestmark = pytest.mark.django_db(transaction=True)


def test_pydiscourse_reads_writes_and_moderates(network, tmp_path):
    alice = f.make_user(username="alice")
    f.make_moderator(username="mod", is_verified=True)
    thread = f.make_thread(author=alice, title="Thread for the Discourse client", source="Hello")
    f.make_thread(
        author=alice, space=f.private_group(), title="Private group only", source="Secret"
    )
    group = f.regional_group("london")
    first_post = thread.posts.get(number=1)
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

        as_moderator.update_topic_status(thread.pk, "closed", False)
        # A topic without a practice topic: the space's default stands in, as for any client.
        plain = client.create_post("Opening words", category_id=space.pk, title="No tag given")
        assert Thread.objects.get(pk=plain["topic_id"]).topic == space.default_topic
        # Topic at a post number, posts by number, update, timings, topics by a member.
        assert client.post(thread.pk, 2)["id"] == thread.pk
        assert client.post_by_number(thread.pk, 2)["id"] == reply["id"]
        assert client.posts(thread.pk, post_ids=[reply["id"]])["post_stream"]["posts"][0]["id"]
        client.update_topic(f"/t/-/{thread.pk}.json", "Renamed by pydiscourse")
        thread.refresh_from_db()
        assert thread.title == "Renamed by pydiscourse"
        client.topic_timings(thread.pk, 1000, {1: 1000, 2: 1000})
        assert thread.pk in [t["id"] for t in client.topics_by("alice")]
        # Likes and bookmarks, through Discourse's own paths.
        liked = as_moderator._post("/post_actions", id=first_post.pk, post_action_type_id=2)
        assert liked["actions_summary"][0]["acted"] is True
        client._post("/bookmarks", bookmarkable_id=first_post.pk, bookmarkable_type="Post")
        assert Bookmark.objects.filter(post=first_post, user=alice).exists()
        # A private message to a moderator, then the inbox.
        client.create_post("Can I ask you something?", title="A question for you",
                           archetype="private_message", target_recipients="mod")  # fmt: skip
        inbox = as_moderator.private_messages()["topic_list"]["topics"]
        assert "A question for you" in [t["title"] for t in inbox]
        # Read it as a topic and answer it, as Discourse's clients do.
        pm = next(t for t in inbox if t["title"] == "A question for you")
        read = as_moderator.topic(pm["slug"], pm["id"])
        assert read["archetype"] == "private_message"
        assert (
            read["post_stream"]["posts"][0]["cooked"].strip() == "<p>Can I ask you something?</p>"
        )
        answer = as_moderator.create_post("Of course, ask away", topic_id=pm["id"])
        assert answer["topic_id"] == pm["id"]
        assert len(client.topic("message", pm["id"])["post_stream"]["stream"]) == 2
        # Attach an upload by its short URL, as Discourse's composer writes it.
        from PIL import Image

        Image.new("RGB", (4, 4), "teal").save(tmp_path / "dot.png", "PNG")
        stored = client.upload_image(str(tmp_path / "dot.png"), "composer", True)
        with_file = client.create_post(f"A picture ![dot|4x4]({stored['short_url']})",
                                       topic_id=thread.pk)  # fmt: skip
        assert stored["url"] in with_file["cooked"]
        # Users and groups.
        client.update_user("alice", name="Alice Example")
        assert client.user("alice")["name"] == "Alice Example"
        as_moderator.add_group_member(group.pk, "alice")
        assert "alice" in [m["username"] for m in client.group_members(group.slug)]
        assert group.slug in [g["name"] for g in client.groups()]
        assert client.group(group.slug)["group"]["id"] == group.pk
        # The same calls with JSON bodies work as with forms.
        sent = client._post("/posts.json", json=True, raw="A reply sent as JSON by pydiscourse",
                            topic_id=thread.pk)  # fmt: skip
        assert Post.objects.get(pk=sent["id"]).source == "A reply sent as JSON by pydiscourse"
        client._put(f"/posts/{sent['id']}.json", json=True,
                    post={"raw": "Edited as JSON", "edit_reason": "json"})  # fmt: skip
        assert Post.objects.get(pk=sent["id"]).source == "Edited as JSON"
        client.delete_topic(plain["topic_id"])
        assert Thread.objects.get(pk=plain["topic_id"]).deleted_at is not None

        outsider = DiscourseClient(url, api_username=None, api_key=None)
        titles = [t["title"] for t in outsider.latest_topics()["topic_list"]["topics"]]
        assert "Private group only" not in titles
