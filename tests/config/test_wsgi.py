"""config/wsgi.py: the WSGI worker's collector settings (why: config/wsgi.py's comment)."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_wsgi_worker_freezes_its_imports_and_runs_full_passes_rarely():
    # In a process of its own: freezing is process-wide and the test process must not change.
    probe = (
        "import gc, json; import config.wsgi as w; "
        "print(json.dumps([gc.get_freeze_count(), gc.get_threshold(), callable(w.application)]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    frozen, threshold, answers = json.loads(result.stdout.strip().splitlines()[-1])
    assert answers
    assert frozen > 10_000  # Django and the project's modules, at least
    assert threshold[2] >= 100
