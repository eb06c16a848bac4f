"""A small Discourse API client: API key headers, JSON, and backing off when told to."""

from __future__ import annotations

import time

import httpx


class SourceError(Exception):
    """The source site answered something the import cannot use; the message says what."""


class DiscourseClient:
    def __init__(self, url: str, *, api_key: str, api_username: str, max_wait: float = 60):
        self.url = url.rstrip("/")
        self.max_wait = max_wait
        self.http = httpx.Client(
            base_url=self.url,
            headers={
                "Api-Key": api_key,
                "Api-Username": api_username,
                "Accept": "application/json",
            },  # fmt: skip
            timeout=30,
            follow_redirects=False,
        )

    def get(self, path: str, **params) -> dict:
        """GET a JSON document; wait and retry when rate limited (429 with wait_seconds)."""
        for _attempt in range(5):
            try:
                response = self.http.get(path, params=params)
            except httpx.HTTPError as failed:
                raise SourceError(f"{path}: {failed}") from None
            if response.status_code == 429:
                try:
                    wait = float(response.json().get("extras", {}).get("wait_seconds", 5))
                except ValueError:
                    wait = 5
                time.sleep(min(max(wait, 0.5), self.max_wait))
                continue
            if response.status_code == 404:
                return {}
            if response.status_code >= 400:
                raise SourceError(f"{path} answered {response.status_code}: {response.text[:200]}")
            try:
                return response.json()
            except ValueError:
                raise SourceError(f"{path} did not answer JSON") from None
        raise SourceError(f"{path}: still rate limited after five tries")

    def close(self) -> None:
        self.http.close()
