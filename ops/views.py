"""`/healthz`: JSON for load balancers and the operations page; 200 when healthy, 503 when not."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Count, Q
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from organizations.roles import is_city_office
from workdays.calendar import missing_years

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
    rows = {b.name: b for b in Heartbeat.objects.all()} if database else {}
    beats = {name: timezone.localtime(b.last_at).isoformat() for name, b in rows.items()}
    self_check = rows.get("self_check")
    body = {
        "status": "ok" if database and broker else "error",
        "database": database,
        "broker": broker,
        "broker_transport": settings.CELERY_BROKER_URL.split(":", 1)[0],
        "last_scheduler_beat": beats.get("scheduler"),
        "last_escalation_sweep": beats.get("escalation_sweep"),
        "last_self_check": beats.get("self_check"),
        "requeued_total": self_check.data.get("requeued_total", 0) if self_check else 0,
    }
    return JsonResponse(body, status=200 if body["status"] == "ok" else 503)


HEARTBEAT_NAMES = {
    "scheduler": _("Scheduler"),
    "ping": _("Test task"),
    "escalation_sweep": _("Escalation sweep"),
    "self_check": _("Delivery self-check"),
    "tally_compact": _("Dashboard tally merge"),
}


def tally_state() -> dict | None:
    """The dashboard tally's rows and those appended since the last merge (PostgreSQL only)."""
    from dashboards.models import HazardTally
    from dashboards.tally import available_on_this_database

    if not available_on_this_database():
        return None
    return HazardTally.objects.aggregate(rows=Count("id"), appended=Count("id", filter=Q(merged=False)))


@login_required
def operations(request):
    """For the city office: is the scheduler alive, is the official calendar entered for this year and next."""
    user = request.user
    if not is_city_office(user):
        raise PermissionDenied
    year = timezone.localdate().year
    context = {
        "database": check_database(),
        "broker": check_broker(),
        "broker_transport": settings.CELERY_BROKER_URL.split(":", 1)[0],
        "heartbeats": [(HEARTBEAT_NAMES.get(b.name, b.name), b) for b in Heartbeat.objects.order_by("name")],
        "missing_years": missing_years([year, year + 1]),
        "year": year,
        "tally": tally_state(),
    }
    return render(request, "ops/index.html", context)
