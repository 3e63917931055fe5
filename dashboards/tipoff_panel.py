"""The dashboard's tip-offs panel (#20): what waits for the person's unit (awaiting triage, past a time limit,
awaiting the answer: `tipoffs.limits.handler_counts`, the list's `handler=mine`), and the reports past a limit in
the person's whole scope (`?overdue=1`); each number links to the tip-offs list with the same filters. Two queries."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from tipoffs import figures, limits
from tipoffs.models import Report, overdue_q


@login_required
def tipoffs_panel(request):
    figures.require(request.user)  # the government's staff, as the figures page
    now = timezone.now()
    mine = limits.handler_counts(request.user, now)
    cards = [
        (mine["received"], figures.list_url(state="received", handler="mine"), "received", False),
        (mine["overdue"], figures.list_url(overdue=1, handler="mine"), "overdue", mine["overdue"] > 0),
        (mine["feedback"], figures.list_url(state="verified", handler="mine"), "feedback", False),
    ]
    overdue = Report.objects.visible_to(request.user).filter(overdue_q(now)).count()
    context = {"cards": cards, "overdue": overdue, "overdue_url": figures.list_url(overdue=1)}
    return render(request, "dashboards/panel_tipoffs.html", context)
