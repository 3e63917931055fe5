"""The dashboard page and its side panels, and the ledger export (streamed, or queued when large)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import FileResponse, Http404, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from duty_roster import failures
from early_warnings import figures as warning_figures
from early_warnings.choices import RANK, WarningStatus
from early_warnings.models import EarlyWarning, WarningRecipient
from emergency.models import Prepositioning, ReadinessPeriod, Stock
from hazards.choices import OPEN_STATUSES, Status
from hazards.models import LookBack
from inspections.coverage import coverage
from inspections.models import Campaign
from organizations.scope import Scope, ScopeKind
from safety_platform.lib.replica import replica_view

from . import board_cache, exports
from .charts import Series, bar_chart
from .models import ExportJob
from .stats import PERIODS, ROLE_TITLES, period_from
from .summary import sentence

# The look-back panel's "due soon": within this many days from today.
LOOKBACK_SOON_DAYS = 30


@login_required
@replica_view
def dashboard(request):
    if Scope.for_user(request.user).kind == ScopeKind.NONE:
        raise PermissionDenied
    try:
        period = period_from(request.GET)
    except ValidationError as exc:
        context = {"error": " ".join(exc.messages), "periods": PERIODS, "params": request.GET}
        return render(request, "dashboards/dashboard.html", context, status=400)
    refresh = "refresh" in request.GET
    kept = board_cache.board(request.user, period, refresh=refresh)
    summary = board_cache.summary(request.user, refresh=refresh)
    if refresh:  # the figures are fresh now: back to the page's own address, which a reload does not recompute
        params = request.GET.copy()
        params.pop("refresh")
        return redirect(f"{request.path}?{params.urlencode()}" if params else request.path)
    board = kept.value
    found, closed = _("Found"), _("Closed")
    trend = [Series(found, "found", "found_link"), Series(closed, "closed", "closed_link")]
    charts = [
        bar_chart(_("Hazards per week (last 12 weeks)"), board.weeks, trend, "chart-weeks"),
        bar_chart(_("Hazards per month (last 12 months)"), board.months, trend, "chart-months"),
    ]
    for index, breakdown in enumerate(board.breakdowns[:1]):
        rows = [
            {"label": r["label"], "found": r["figures"].found, "found_link": r["found"],
             "overdue": r["figures"].overdue_now, "overdue_link": r["overdue"]}
            for r in breakdown.rows[:15]
        ]  # fmt: skip
        series = [Series(_("Found in the period"), "found", "found_link"),
                  Series(_("Overdue now"), "overdue", "overdue_link")]  # fmt: skip
        charts.append(bar_chart(breakdown.title, rows, series, f"chart-breakdown-{index}"))
    context = {
        "board": board,
        "charts": charts,
        "periods": PERIODS,
        "params": request.GET,
        "role_title": ROLE_TITLES[board.role],
        "ledger_query": board.period.query,
        "summary": sentence(summary.value),
        "as_of": min(kept.as_of, summary.as_of),
        "age": max(kept.age(), summary.age()),
        "refresh_query": {**request.GET.dict(), "refresh": "1"},
        "status_choices": Status.choices,
        "open_statuses": [str(s) for s in OPEN_STATUSES],
    }
    return render(request, "dashboards/dashboard.html", context)


@login_required
@replica_view
def coverage_panel(request):
    """Inspection coverage of the campaigns running today, in the user's scope (loaded after the page)."""
    scope = Scope.for_user(request.user)
    if scope.kind not in (ScopeKind.ALL, ScopeKind.REGION, ScopeKind.DEPARTMENT):
        raise PermissionDenied
    today = timezone.localdate()
    running = Campaign.objects.visible_to(request.user).filter(starts_on__lte=today, ends_on__gte=today)
    rows = [{"campaign": c, "coverage": coverage(c, request.user)} for c in running.order_by("ends_on")[:5]]
    return render(request, "dashboards/panel_coverage.html", {"rows": rows})


@login_required
@replica_view
def look_backs_panel(request):
    """Look-backs (回头看) of closed major hazards in the user's scope: overdue, due within LOOKBACK_SOON_DAYS days,
    and all still to do; one aggregate query; each figure links to the look-back list."""
    if Scope.for_user(request.user).kind not in (ScopeKind.ALL, ScopeKind.REGION, ScopeKind.DEPARTMENT):
        raise PermissionDenied
    today = timezone.localdate()
    soon = today + timezone.timedelta(days=LOOKBACK_SOON_DAYS)
    counts = (
        LookBack.objects.visible_to(request.user)
        .pending()
        .aggregate(
            overdue=Count("id", filter=Q(due_on__lt=today)),
            soon=Count("id", filter=Q(due_on__gte=today, due_on__lte=soon)),
            pending=Count("id"),
        )
    )
    return render(request, "dashboards/panel_look_backs.html", {"counts": counts, "soon_days": LOOKBACK_SOON_DAYS})


@login_required
@replica_view
def duty_panel(request):
    """The four duty failures over the last 30 days, summed over the user's duty posts."""
    if Scope.for_user(request.user).kind == ScopeKind.NONE:
        raise PermissionDenied
    end = timezone.localdate()
    start = end - timezone.timedelta(days=29)
    rows = failures.four_failures(request.user, start, end)
    keys = (
        "shifts",
        "no_check_in",
        "leader_unverified",
        "roll_calls",
        "roll_calls_failed",
        "warnings",
        "warnings_failed",
        "incident_notices_late",
        "reports_late",
    )
    totals = {key: sum(r[key] for r in rows) for key in keys}
    worst = sorted(rows, key=lambda r: -(r["no_check_in"] + r["roll_calls_failed"] + r["warnings_failed"]
                                         + r["incident_notices_late"] + r["reports_late"]))[:5]  # fmt: skip
    context = {"totals": totals, "posts": len(rows), "worst": worst, "start": start, "end": end}
    return render(request, "dashboards/panel_duty.html", context)


@login_required
@replica_view
def readiness_panel(request):
    """Warnings in force and emergency readiness in the user's scope: each warning in force with its posts told,
    answered and silent (linked to its live board), the teams on raised readiness and the forces standing now, the
    supplies below minimum and expiring. Five queries whatever the numbers."""
    if Scope.for_user(request.user).kind not in (ScopeKind.ALL, ScopeKind.REGION, ScopeKind.DEPARTMENT):
        raise PermissionDenied
    user, now = request.user, timezone.now()
    in_force = (
        EarlyWarning.objects.visible_to(user)
        .filter(status=WarningStatus.IN_FORCE)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=now))
    )
    warnings = sorted(in_force, key=lambda w: (-RANK.get(w.level, 0), -w.issued_at.timestamp()))
    answers = {
        row["warning"]: row
        for row in WarningRecipient.objects.visible_to(user)
        .filter(warning__in=[w.pk for w in warnings])
        .values("warning")
        .annotate(**warning_figures.counts(now))
    }
    none = {"posts": 0, "answered": 0, "silent": 0}
    rows = [{**answers.get(w.pk, none), "warning": w} for w in warnings]
    covering = Q(starts_at__lte=now, ends_at__gt=now)
    raised = (
        ReadinessPeriod.objects.visible_to(user)
        .filter(covering, ended_early_at__isnull=True, team__active=True)
        .aggregate(teams=Count("team", distinct=True))["teams"]
    )
    forces = Prepositioning.objects.visible_to(user).filter(covering, withdrawn_at__isnull=True).count()
    # Counted as the alerts list finds them (StockQuerySet.below_minimum, .expiring), which the figures link to.
    stock = Stock.objects.visible_to(user)
    supplies = stock.aggregate(
        low=Count("id", filter=Q(pk__in=stock.below_minimum().values("pk"))),
        expiring=Count("id", filter=Q(pk__in=stock.expiring().values("pk"))),
    )
    context = {"rows": rows, "raised": raised, "forces": forces, "supplies": supplies}
    return render(request, "dashboards/panel_readiness.html", context)


@login_required
@replica_view
def ledger_export(request):
    """The hazard ledger under the list's filters: streamed at once when small; when large, a page that starts it in
    the background (by POST, so a prefetched or repeated link queues nothing) and then shows its progress."""
    source = request.POST if request.method == "POST" else request.GET
    params = source.copy()
    fmt = params.pop("format", ["xlsx"])[-1]
    for key in ("cursor", "ordering", "page", "csrfmiddlewaretoken"):
        params.pop(key, None)
    query = params.urlencode()
    try:
        exports.check_format(fmt)
        if len(query) > MAX_QUERY:
            raise ValidationError(_("Too many filters for one export; narrow them down."))
        queryset = exports.ledger_queryset(request.user, query)
    except ValidationError as exc:
        return render(request, "dashboards/export_error.html", {"errors": exc.messages}, status=400)
    total = queryset.count()
    if total <= settings.EXPORT_SYNC_LIMIT:
        stream = exports.STREAMS[fmt](exports.ledger_rows(queryset), banner=exports.ledger_banner(request.user, query))
        response = StreamingHttpResponse(stream, content_type=exports.CONTENT_TYPE[fmt])
        response["Content-Disposition"] = f'attachment; filename="{exports.filename(fmt)}"'
        return response
    if request.method != "POST":
        context = {"total": total, "format": fmt, "query": query, "fields": params.lists()}
        return render(request, "dashboards/export_confirm.html", context)
    job = exports.start_export(request.user, fmt, query, total)
    return redirect("dashboards:export", pk=job.pk)


MAX_QUERY = 2000


def _own_job(request, pk: int) -> ExportJob:
    return get_object_or_404(ExportJob, pk=pk, owner=request.user)


@login_required
def export_page(request, pk: int):
    return render(request, "dashboards/export.html", {"job": _own_job(request, pk)})


@login_required
def export_status(request, pk: int):
    job = _own_job(request, pk)
    return JsonResponse({
        "state": job.state, "state_display": job.get_state_display(), "done": job.done, "total": job.total,
        "percent": job.percent, "error": job.error,
        "download": request.build_absolute_uri(job.get_download_url()) if job.file else None,
    })  # fmt: skip


@login_required
def export_download(request, pk: int):
    job = _own_job(request, pk)
    if job.state != ExportJob.State.DONE or not job.file:
        raise Http404
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=exports.filename(job.format, job.finished_at))
