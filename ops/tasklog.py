"""One log line per task run (JSON when `LOG_FORMAT=json`)."""

from __future__ import annotations

import logging

logger = logging.getLogger("ops.tasks")


def log_task(name: str, *, outcome: str, duration: float, attempt: int) -> None:
    level = logging.INFO if outcome == "successful" else logging.WARNING
    logger.log(
        level,
        "task %s %s in %.1f ms",
        name,
        outcome,
        duration * 1000,
        extra={
            "task": name,
            "outcome": outcome,
            "duration_ms": round(duration * 1000, 1),
            "attempt": attempt,
        },
    )
