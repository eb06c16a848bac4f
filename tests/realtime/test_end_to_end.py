"""Against running daphne processes with a real WebSocket client."""

import asyncio
import json
import os
import re

import httpx
import pytest
import websockets

from notifications.models import Notification
from tests.conftest import require_service
from tests.factories import make_thread, make_user
from tests.servers import ROOT, daphne, session_cookie

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def server(django_db_setup):
    """One daphne for the module's tests (a cold start costs seconds); each test's data is its
    own, and the server's in-process caches are keyed on what they show."""
    # INFO: the hub says once which way it writes thread events (checked below).
    with daphne(LOG_LEVEL="INFO") as url:
        yield url


def _post_reply(base_url: str, cookie: str, thread, reply_to_id: int, text: str) -> None:
    with httpx.Client(base_url=base_url, cookies={"sessionid": cookie}, timeout=10) as http:
        form = http.get(f"/t/{thread.pk}/reply/?to={reply_to_id}")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
        response = http.post(
            f"/t/{thread.pk}/reply/",
            data={"csrfmiddlewaretoken": token, "source": text, "reply_to": reply_to_id},
            headers={"Origin": base_url, "Referer": base_url + f"/t/{thread.pk}/reply/"},
        )
        assert response.status_code == 302, response.text[:500]


async def _next_of_type(ws, kind: str, timeout: float = 10) -> dict:
    async def read():
        while True:
            message = json.loads(await ws.recv())
            if message["type"] == kind:
                return message

    return await asyncio.wait_for(read(), timeout)


def _listen_then_post(
    listen_url: str, post_url: str, author, replier, thread, idle: float = 0
) -> dict:
    author_cookie, replier_cookie = session_cookie(author), session_cookie(replier)
    first = thread.posts.get(number=1)

    async def scenario() -> dict:
        ws_url = listen_url.replace("http://", "ws://") + "/ws/"
        headers = {"Origin": listen_url, "Cookie": f"sessionid={author_cookie}"}
        async with websockets.connect(ws_url, additional_headers=headers) as ws:
            hello = await _next_of_type(ws, "hello")
            assert hello["user"] == author.pk
            await ws.send(json.dumps({"type": "subscribe", "thread": thread.pk, "after_number": 1}))
            await _next_of_type(ws, "subscribed")
            if idle:
                await asyncio.sleep(
                    idle
                )  # a quiet socket must survive (redis reads time out at 5 s)
            await asyncio.to_thread(
                _post_reply, post_url, replier_cookie, thread, first.pk, "Across the wire"
            )
            # Both the bell update (the member's own group) and the thread event (through the
            # process's thread hub, sharing the process's one Redis receive with the sockets).
            seen: dict[str, dict] = {}

            async def both() -> None:
                while len(seen) < 2:
                    message = json.loads(await ws.recv())
                    if message["type"] in ("notifications", "post.created"):
                        seen.setdefault(message["type"], message)

            await asyncio.wait_for(both(), 10)
            assert seen["post.created"]["thread_id"] == thread.pk
            assert seen["post.created"]["number"] == 2
            return seen["notifications"]

    return asyncio.run(scenario())


def test_reply_posted_over_http_arrives_on_the_authors_socket(network, server):
    author, replier = make_user(username="author"), make_user(username="replier")
    thread = make_thread(author=author, title="End to end over daphne")
    message = _listen_then_post(server, server, author, replier, thread)
    assert message["unread"] == 1
    # The thread event came through the hub's one prepared frame, not a send per socket.
    log = ROOT / "var" / f"daphne-test-{server.rsplit(':', 1)[1]}.log"
    assert "thread hub: daphne sockets get prepared frames" in log.read_text()
    assert message["notifications"][0]["kind"] == "reply"
    assert Notification.objects.get(user=author).kind == "reply"
    # A reader who is not told of the reply (no bell queued in front of the thread event, as
    # there can be when both leave in the same reactor turn) gets the event from the kernel
    # with one send(), not through Twisted's write queue.
    reader = make_user(username="reader")
    event = _read_next_reply(server, reader, replier, thread)
    assert event["number"] == 3
    assert "daphne sockets: frames written straight to the socket" in log.read_text()


def _read_next_reply(url: str, reader, replier, thread) -> dict:
    """A reader subscribed to the thread gets the next reply's thread event."""
    reader_cookie, replier_cookie = session_cookie(reader), session_cookie(replier)
    first = thread.posts.get(number=1)

    async def scenario() -> dict:
        headers = {"Cookie": f"sessionid={reader_cookie}", "Origin": url}
        async with websockets.connect(
            url.replace("http://", "ws://") + "/ws/", additional_headers=headers
        ) as ws:
            await _next_of_type(ws, "hello")
            await ws.send(json.dumps({"type": "subscribe", "thread": thread.pk}))
            await _next_of_type(ws, "subscribed")
            await asyncio.to_thread(_post_reply, url, replier_cookie, thread, first.pk, "Again")
            return await _next_of_type(ws, "post.created")

    return asyncio.run(scenario())


def test_two_daphne_processes_share_redis(network, server):
    require_service("Redis (REDIS_URL)", bool(os.environ.get("REDIS_URL")))
    author, replier = make_user(username="author2"), make_user(username="replier2")
    thread = make_thread(author=author, title="Across two processes")
    with daphne() as second_server:
        message = _listen_then_post(second_server, server, author, replier, thread, idle=6)
    assert message["notifications"][0]["kind"] == "reply"
    assert message["notifications"][0]["url"] == thread.post_url(2)


def test_socket_from_a_foreign_origin_is_refused(network, server):
    async def attempt():
        ws_url = server.replace("http://", "ws://") + "/ws/"
        async with websockets.connect(
            ws_url, additional_headers={"Origin": "https://evil.example"}
        ):
            pass

    with pytest.raises(websockets.exceptions.InvalidStatus):
        asyncio.run(attempt())
