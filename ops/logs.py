"""Log lines for operators: one per request and one per task, as JSON when `LOG_FORMAT=json`.

Fields: time, level, logger, message, and for requests `view`, `method`, `status`,
`duration_ms`, `member` (the member's id, never a name); for tasks `task`, `outcome`,
`duration_ms`, `attempt`.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime

from . import metrics

EXTRA_FIELDS = (
    "view",
    "method",
    "status",
    "duration_ms",
    "member",
    "task",
    "outcome",
    "attempt",
)

request_logger = logging.getLogger("ops.requests")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for field in EXTRA_FIELDS:
            if hasattr(record, field):
                line[field] = getattr(record, field)
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


class RequestLogMiddleware:
    """Time each request; count it by view and status; log one line for it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        duration = time.perf_counter() - started
        match = getattr(request, "resolver_match", None)
        view = match.view_name if match and match.view_name else "unmatched"
        metrics.REQUESTS.labels(view=view, method=request.method, status=response.status_code).inc()
        metrics.LATENCY.labels(view=view).observe(duration)
        user = getattr(request, "user", None)
        member = user.pk if user is not None and user.is_authenticated else None
        level = logging.ERROR if response.status_code >= 500 else logging.INFO
        request_logger.log(
            level,
            "%s %s %s %.1f ms",
            request.method,
            view,
            response.status_code,
            duration * 1000,
            extra={
                "view": view,
                "method": request.method,
                "status": response.status_code,
                "duration_ms": round(duration * 1000, 1),
                "member": member,
            },
        )
        return response
