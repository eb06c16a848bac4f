"""The live bench's stand-in browsers (bench/live.py): `--arrival-stamps` stamps a frame with
the time its bytes reached the socket, not the time the one client thread read it."""

import asyncio
import socket
import sys
import threading
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

import live  # noqa: E402


class _Socket:
    def __init__(self, transport) -> None:
        self.transport = transport


def test_a_frame_is_stamped_when_it_arrives_even_if_read_later():
    listening = socket.create_server(("127.0.0.1", 0))
    port = listening.getsockname()[1]

    def serve() -> None:  # in a thread of its own: it writes while the client's is busy
        connection, _address = listening.accept()
        with connection:
            time.sleep(0.1)
            connection.sendall(bytes([0x81, 5]) + b"hello")  # one unmasked text frame
            connection.recv(16)  # until the client's close

    server = threading.Thread(target=serve, daemon=True)
    server.start()

    async def run() -> tuple[list, float]:
        frames: list = []
        loop = asyncio.get_running_loop()
        transport, _protocol = await loop.create_connection(asyncio.Protocol, "127.0.0.1", port)
        closed = loop.create_future()
        started = live.now()
        arrival = live._ArrivalReader(
            _Socket(transport), lambda payload, t: frames.append((payload, t)), closed
        )
        time.sleep(0.3)  # the client's one thread is busy when the frame arrives
        while not frames:
            await asyncio.sleep(0.01)
        read_at = live.now()
        arrival.close()
        return [(payload, t - started) for payload, t in frames], read_at - started

    frames, read_at = asyncio.run(run())
    server.join(5)
    listening.close()
    assert [payload for payload, _t in frames] == [b"hello"]
    stamped = frames[0][1]
    assert 0.09 < stamped < 0.2 < 0.3 < read_at  # when it arrived, not when it was read
