"""Start the test provider as a second process and talk to its control endpoint."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.servers import ROOT, free_port

CLIENT_ID = "family-hubs-network"
CLIENT_SECRET = "a-test-secret-that-is-long-enough"


@dataclass
class LoopbackProvider:
    url: str  # the issuer

    def control(self, **changes) -> dict:
        return httpx.post(self.url.rsplit("/o", 1)[0] + "/control/", json=changes).json()

    def sign_in_as(self, email: str, *, verified: bool = True, name: str = "", mode="honest"):
        self.control(email=email, email_verified=verified, name=name, mode=mode)

    def allow_redirects_to(self, base_url: str, *provider_ids: str) -> None:
        callbacks = [f"{base_url}/accounts/oidc/{pid}/login/callback/" for pid in provider_ids]
        self.control(client_id=CLIENT_ID, redirect_uris=callbacks)

    def authorize_requests(self) -> list[dict]:
        return self.control()["seen"]["authorize"]

    def app_settings(self, **policy) -> dict:
        return {
            "server_url": self.url + "/.well-known/openid-configuration",
            "oauth_pkce_enabled": True,
            **policy,
        }


@contextmanager
def running_provider():
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "OIDC_PROVIDER_DB": str(Path(tmp) / "provider.sqlite3")}
        for name in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"):
            env.pop(name, None)
        log = open(Path(tmp) / "provider.log", "wb")  # noqa: SIM115  (closed in finally)
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.oidc_provider.serve",
                str(port),
                CLIENT_ID,
                CLIENT_SECRET,
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 90
            while True:
                try:
                    httpx.get(base + "/control/", timeout=2)
                    break
                except httpx.TransportError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        log.flush()
                        raise RuntimeError(
                            "test provider did not start: "
                            + (Path(tmp) / "provider.log").read_text()[-2000:]
                        ) from None
                    time.sleep(0.1)
            yield LoopbackProvider(url=base + "/o")
        finally:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
            log.close()
