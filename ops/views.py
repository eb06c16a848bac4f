"""Health and metrics for operators: cheap, no templates, no session needed."""

from __future__ import annotations

import hmac
import time
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django_tasks_db.models import DBTaskResult, get_date_max

from . import actions, metrics, selectors
from .permissions import can_manage_tasks


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """The process answers (no dependency is checked: a liveness probe)."""
    return JsonResponse({"status": "ok"})


def _check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _check_redis() -> str:
    if not settings.REDIS_URL:
        return "not used"
    import redis

    client = redis.Redis.from_url(
        settings.REDIS_URL, socket_connect_timeout=0.5, socket_timeout=0.5
    )
    try:
        client.ping()
    finally:
        client.close()
    return "ok"


def _check_worker() -> str:
    if "django_tasks_db" not in settings.TASKS["default"]["BACKEND"]:
        return "not used"  # tasks run inside the request
    from .models import WorkerHeartbeat

    since = timezone.now() - timedelta(seconds=settings.WORKER_STALE_SECONDS)
    if not WorkerHeartbeat.objects.filter(seen_at__gte=since).exists():
        raise RuntimeError(f"no worker heartbeat in the last {settings.WORKER_STALE_SECONDS} s")
    return "ok"


@never_cache
@require_GET
def readyz(request: HttpRequest) -> HttpResponse:
    """Ready to serve: PostgreSQL, Redis and a recent worker heartbeat; says which is down."""
    checks: dict[str, str] = {}
    ready = True
    for name, check in (
        ("database", _check_database),
        ("redis", _check_redis),
        ("worker", _check_worker),
    ):
        started = time.perf_counter()
        try:
            checks[name] = check()
        except Exception as error:  # each part's failure is reported, not raised
            ready = False
            checks[name] = f"down: {type(error).__name__}: {str(error)[:200]}"
        checks[f"{name}_ms"] = f"{(time.perf_counter() - started) * 1000:.1f}"
    return JsonResponse(
        {"status": "ready" if ready else "not ready", "checks": checks},
        status=200 if ready else 503,
    )


@never_cache
@require_GET
def prometheus_metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus exposition, for the scraper's bearer token (METRICS_TOKEN) or centre staff
    signed in to the admin; anyone else gets a 404 (the page is not advertised)."""
    token = settings.METRICS_TOKEN
    header = request.headers.get("Authorization", "")
    allowed = bool(token) and hmac.compare_digest(header, f"Bearer {token}")
    user = getattr(request, "user", None)
    if not allowed and not (user is not None and user.is_authenticated and user.is_superuser):
        raise Http404
    body, content_type = metrics.render()
    return HttpResponse(body, content_type=content_type)


def _staff_only(request: HttpRequest) -> None:
    # Others get a 404, as for the other staff pages: the page is nobody else's business.
    if not can_manage_tasks(request.user):
        raise Http404


@never_cache
@require_GET
def staff_tasks(request: HttpRequest) -> HttpResponse:
    """Background tasks that failed, or raised and wait to try again, with their errors."""
    _staff_only(request)
    tasks = selectors.troubled_tasks(viewer=request.user)
    return render(
        request,
        "ops/tasks.html",
        {
            "failed": [t for t in tasks if t.failed],
            "retrying": [t for t in tasks if not t.failed],
            "more": len(tasks) >= selectors.TASKS_SHOWN,
            "shown": selectors.TASKS_SHOWN,
            "date_max": get_date_max(),
        },
    )


@require_POST
def staff_task_retry(request: HttpRequest, task_id) -> HttpResponse:
    _staff_only(request)
    try:
        row = actions.retry_task(actor=request.user, task_id=task_id)
    except DBTaskResult.DoesNotExist:
        raise Http404 from None
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
    else:
        name = row.task_path.rsplit(".", 1)[-1]
        messages.success(request, _("%(name)s is queued again.") % {"name": name})
    return redirect("staff_tasks")
