"""`/healthz`: JSON for load balancers and the operations page; 200 when healthy, 503 when not."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from .models import Heartbeat


def check_database() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:
        return False


def check_broker() -> bool:
    from safety_platform.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        return False


@never_cache
def healthz(request):
    database = check_database()
    broker = check_broker()
    beats = {
        name: timezone.localtime(at).isoformat()
        for name, at in (Heartbeat.objects.values_list("name", "last_at") if database else [])
    }
    body = {
        "status": "ok" if database and broker else "error",
        "database": database,
        "broker": broker,
        "broker_transport": settings.CELERY_BROKER_URL.split(":", 1)[0],
        "last_scheduler_beat": beats.get("scheduler"),
        # The escalation sweep arrives with the notifications app; until then it has never run.
        "last_escalation_sweep": beats.get("escalation_sweep"),
    }
    return JsonResponse(body, status=200 if body["status"] == "ok" else 503)
