"""The home page: the person's work queue, a section per role they hold (work/queues.py)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from organizations.views import scope_summary

from . import queues


@login_required
def home(request):
    user = request.user
    context = {
        "sections": queues.build(user),
        "unit": user.unit,
        "unit_kind": user.get_unit_kind_display(),
        "positions": sorted(str(a.position) for a in user.assignments.current().select_related("position")),
        "scope_summary": scope_summary(user),
    }
    return render(request, "work/home.html", context)
