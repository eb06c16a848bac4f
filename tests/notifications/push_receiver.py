"""A push service on loopback, for the web push tests.

It plays both ends a real push needs: the push service (it receives the POST, checks the VAPID
JWT's ES256 signature against the `k` key sent with it, its audience and expiry) and the browser
(it holds the subscription's private key and auth secret and decrypts the aes128gcm body, RFC
8291). What arrives decrypted is kept for the test to read.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Subscription:
    """One browser's subscription: what it gives the site, and the secrets it keeps."""

    endpoint: str
    private_key: ec.EllipticCurvePrivateKey
    auth_secret: bytes

    @property
    def p256dh(self) -> str:
        return b64url(
            self.private_key.public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
        )

    @property
    def auth(self) -> str:
        return b64url(self.auth_secret)

    def as_json(self, label: str = "Test browser") -> dict:
        return {
            "endpoint": self.endpoint,
            "keys": {"p256dh": self.p256dh, "auth": self.auth},
            "label": label,
        }


@dataclass
class Received:
    token: str
    payload: dict
    vapid_claims: dict
    vapid_public_key: str
    headers: dict


@dataclass
class PushReceiver:
    url: str
    subscriptions: dict[str, Subscription] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # why pushes were turned away
    gone: set[str] = field(default_factory=set)  # tokens answered 410 Gone

    def subscribe(self) -> Subscription:
        token = secrets.token_urlsafe(12)
        subscription = Subscription(
            endpoint=f"{self.url}/push/{token}",
            private_key=ec.generate_private_key(ec.SECP256R1()),
            auth_secret=os.urandom(16),
        )
        self.subscriptions[token] = subscription
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        self.gone.add(subscription.endpoint.rsplit("/", 1)[1])

    def receive(self, token: str, headers: dict, body: bytes) -> int:
        if token in self.gone:
            return 410
        subscription = self.subscriptions.get(token)
        if subscription is None:
            return 404
        try:
            scheme, _, params = headers.get("authorization", "").partition(" ")
            assert scheme.lower() == "vapid", "not a VAPID authorization"
            values = dict(part.strip().split("=", 1) for part in params.split(","))
            signer = ec.EllipticCurvePublicKey.from_encoded_point(
                ec.SECP256R1(), unb64url(values["k"])
            )
            claims = jwt.decode(
                values["t"],
                signer,
                algorithms=["ES256"],
                audience=self.url,
                options={"require": ["exp", "aud", "sub"]},
            )
            assert claims["exp"] <= time.time() + 24 * 3600, "VAPID JWT lives over 24 hours"
            assert claims["sub"].startswith(("mailto:", "https:")), "VAPID subject is no contact"
            assert headers.get("content-encoding") == "aes128gcm", "not aes128gcm"
            assert int(headers.get("ttl", "-1")) >= 0, "no TTL"
            plain = http_ece.decrypt(
                body,
                private_key=subscription.private_key,
                auth_secret=subscription.auth_secret,
                version="aes128gcm",
            )
        except Exception as e:  # anything wrong is a refusal the test can see
            self.refused.append(f"{type(e).__name__}: {e}")
            return 400
        self.received.append(Received(token, json.loads(plain), claims, values["k"], dict(headers)))
        return 201


def serve(receiver_factory=PushReceiver):
    """Start a receiver on a free loopback port in a thread; returns (receiver, stop)."""
    holder: dict = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's name)
            length = int(self.headers.get("Content-Length", 0))
            body = self.rfile.read(length)
            token = self.path.rsplit("/", 1)[1]
            headers = {k.lower(): v for k, v in self.headers.items()}
            status = holder["receiver"].receive(token, headers, body)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver = receiver_factory(url=f"http://127.0.0.1:{server.server_address[1]}")
    holder["receiver"] = receiver
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def stop() -> None:
        server.shutdown()
        server.server_close()

    return receiver, stop
