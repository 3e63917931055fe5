"""The weekly summary (每周通报): each department head and territorial leader is told last week's figures in their
scope, through the notification outbox (so e-mail follows their preferences and a second beat sends nothing
twice: the key is the week and the person)."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from notifications.outbox import notify
from organizations.choices import PositionKind
from organizations.models import PositionAssignment
from organizations.scope import Scope, ScopeKind
from oversight import board as oversight_board

from .stats import Period, build
from .summary import summary_sentence

logger = logging.getLogger(__name__)
RECIPIENT_POSITIONS = (PositionKind.DEPARTMENT_HEAD, PositionKind.TERRITORIAL_LEADER)


def last_week(today: date) -> Period:
    monday = today - timedelta(days=today.weekday() + 7)
    return Period(monday, monday + timedelta(days=6), "week")


def send_weekly(now: datetime | None = None) -> int:
    now = now or timezone.now()
    period = last_week(timezone.localdate(now))
    year, week, _day = period.start.isocalendar()
    sent = 0
    assignments = (
        PositionAssignment.objects.current()
        .filter(position__kind__in=RECIPIENT_POSITIONS, user__is_active=True)
        .select_related("user", "position", "user__region", "user__department", "user__enterprise")
        .order_by("user_id")
    )
    done: set[int] = set()
    for assignment in assignments:
        user = assignment.user
        if user.pk in done:
            continue
        done.add(user.pk)
        if Scope.for_user(user).kind == ScopeKind.NONE:
            logger.warning("weekly summary: %s holds %s but belongs to no unit; skipped", user, assignment.position)
            continue
        try:
            with translation.override(settings.LANGUAGE_CODE):
                title, body = summary(user, period, now)
                with transaction.atomic():
                    created = notify([(user, assignment.position)], key=f"weekly:{year}-W{week:02d}", title=title,
                                     body=body, link=reverse("dashboards:dashboard"))  # fmt: skip
        except Exception:  # one person's odd record must not stop everyone else's summary
            logger.exception("weekly summary for %s failed", user)
            continue
        sent += len(created)
    return sent


def summary(user, period: Period, now: datetime) -> tuple[str, str]:
    board = build(user, period, now)
    t = board.totals
    title = _("Weekly hazard summary for %(scope)s, %(start)s to %(end)s") % {
        "scope": board.scope_name, "start": f"{period.start:%m-%d}", "end": f"{period.end:%m-%d}"}  # fmt: skip
    today = timezone.localdate(now)
    lines = [
        summary_sentence(user, today.year, today.month),
        _("Last week: %(found)s hazards found, %(closed)s of them closed, %(dismissed)s dismissed.")
        % {"found": t.found, "closed": t.closed, "dismissed": t.dismissed},
        _("Now: %(open)s open, %(overdue)s overdue, %(major)s major hazards open.")
        % {"open": t.open_now, "overdue": t.overdue_now, "major": t.major_open},
    ]
    if board.unanswered:
        lines.append(_("%(n)s must-answer notices are still unanswered.") % {"n": board.unanswered})
    if board.overdue_confirmation:
        lines.append(_("%(n)s hazards were not confirmed in time.") % {"n": board.overdue_confirmation})
    if board.overdue_acceptance:
        lines.append(_("%(n)s rectifications were not accepted in time.") % {"n": board.overdue_acceptance})
    if board.top_overdue:
        lines.append(_("Most overdue:"))
        for hazard in board.top_overdue[:5]:
            days = (timezone.localdate(now) - timezone.localdate(hazard.deadline)).days
            lines.append(_("- %(code)s %(title)s (%(enterprise)s), %(days)s days overdue")
                         % {"code": hazard.code, "title": hazard.title, "enterprise": hazard.enterprise.name,
                            "days": days})  # fmt: skip
    lines.append(_("The dashboard: %(url)s") % {"url": settings.SITE_URL.rstrip("/") + reverse("dashboards:dashboard")})
    lines += oversight_lines(user, now)  # --- oversight board (#19) ---
    return title, "\n".join(lines)


def oversight_lines(user, now: datetime) -> list[str]:
    """The oversight board's counts per supervision signal in the recipient's scope, with the board's link (government
    recipients only; oversight/board.py)."""
    if not oversight_board.may_see_board(user):
        return []
    b = oversight_board.build(user, now)
    counts = _("; ").join(f"{s['label']} {s['count']}" for s in b.signals)
    url = settings.SITE_URL.rstrip("/") + reverse("oversight:board")
    return [
        _("Supervision signals, of %(total)s enterprises: %(counts)s.") % {"total": b.total, "counts": counts},
        _("The oversight board: %(url)s") % {"url": url},
    ]
