"""Organisation providers from the environment, read by config/settings.py (so no models here)."""

from __future__ import annotations

import json


def apps_from_environment(raw: str) -> list[dict]:
    """allauth app definitions from `OIDC_PROVIDERS`, a JSON list of
    `{"id", "name", "issuer", "client_id", "secret", "email_domains", "role", "verified",
    "passwords_allowed"}` objects."""
    if not raw.strip():
        return []
    try:
        entries = json.loads(raw)
    except json.JSONDecodeError as e:
        raise ValueError(f"OIDC_PROVIDERS is not valid JSON: {e}") from e
    if not isinstance(entries, list):
        raise ValueError("OIDC_PROVIDERS must be a JSON list of providers")
    apps = []
    for entry in entries:
        missing = {"id", "name", "issuer", "client_id"} - set(entry)
        if missing:
            raise ValueError(f"OIDC_PROVIDERS entry lacks {', '.join(sorted(missing))}")
        apps.append(
            {
                "provider_id": entry["id"],
                "name": entry["name"],
                "client_id": entry["client_id"],
                "secret": entry.get("secret", ""),
                "settings": {
                    "server_url": entry["issuer"],
                    "oauth_pkce_enabled": True,
                    "email_domains": entry.get("email_domains", []),
                    "role": entry.get("role", "practitioner"),
                    "verified": entry.get("verified", False),
                    "passwords_allowed": entry.get("passwords_allowed", True),
                },
            }
        )
    return apps
