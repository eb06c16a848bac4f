import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(env_extra: dict, *args: str) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = _run(
        {
            "DEBUG": "0",
            "SECRET_KEY": "x" * 60 + "-production-like-key",
            "ALLOWED_HOSTS": "network.example",
            "EMAIL_HOST": "smtp.network.example",
        },
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_secret_key_is_required_when_debug_is_off():
    result = _run({"DEBUG": "0"}, "check")
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr
