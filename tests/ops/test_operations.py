"""Health, readiness, metrics and log lines, as an operator's probes and scraper meet them."""

from __future__ import annotations

import json
import logging

import pytest
from django.utils import timezone

from ops.logs import JsonFormatter
from ops.models import WorkerHeartbeat
from tests.factories import make_thread, make_user
from tests.servers import free_port

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_a_session(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_readyz_names_the_worker_when_no_worker_beats(client, db_tasks):
    response = client.get("/readyz")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"] == "ok" and checks["worker"].startswith("down: ")
    WorkerHeartbeat.objects.create(worker_id="w1", hostname="h", pid=1, seen_at=timezone.now())
    response = client.get("/readyz")
    assert response.status_code == 200 and response.json()["checks"]["worker"] == "ok"


def test_readyz_names_redis_when_it_is_down(client, settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["redis"].startswith("down: ConnectionError")
    assert response.json()["checks"]["database"] == "ok"


def test_metrics_are_for_the_scraper_and_staff_only(client, settings):
    settings.METRICS_TOKEN = "scrape-me"
    thread = make_thread()
    client.get(f"/t/{thread.pk}/", follow=True)
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    client.force_login(make_user())
    assert client.get("/metrics").status_code == 404
    client.logout()
    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-me")
    assert response.status_code == 200
    text = response.content.decode()
    assert 'fhn_http_requests_total{method="GET",status="200",view="forum:thread"' in text
    assert "fhn_http_request_seconds_bucket" in text
    assert 'fhn_tasks{status="failed"}' in text and "fhn_workers_alive" in text
    assert "fhn_sockets_open" in text and "fhn_notifications_sent_total" in text


def test_one_json_line_per_request_with_the_member_id_not_the_name(client, caplog):
    member = make_user(display_name="Nameless In Logs")
    client.force_login(member)
    with caplog.at_level(logging.INFO, logger="ops.requests"):
        client.get("/healthz")
    (record,) = [r for r in caplog.records if r.name == "ops.requests"]
    line = json.loads(JsonFormatter().format(record))
    assert line["level"] == "info" and line["view"] == "healthz" and line["status"] == 200
    assert line["member"] == member.pk and isinstance(line["duration_ms"], float)
    assert "Nameless" not in json.dumps(line)
