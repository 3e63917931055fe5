"""An enterprise's supervision page (监管档案): its signals and every part's section (sections.py)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from organizations import flags
from organizations.models import Enterprise
from organizations.roles import is_government
from organizations.scope import Scope

from . import sections


def signals_of(user, enterprise: Enterprise) -> list[flags.Flag]:
    """The signals this enterprise shows, in one query."""
    reference, now = Scope.for_user(user).reference, timezone.now()
    every = flags.all_flags()
    counts = Enterprise.objects.filter(pk=enterprise.pk).aggregate(
        **{flag.key: Count("id", filter=Q(flags.condition(flag.key, reference, now))) for flag in every}
    )
    return [flag for flag in every if counts[flag.key]]


@login_required
def enterprise_page(request, pk: int):
    """The government's page; an enterprise sees its own registry page instead."""
    if not is_government(request.user):
        raise PermissionDenied
    enterprise = get_object_or_404(
        Enterprise.objects.visible_to(request.user).select_related("region", "industry"), pk=pk
    )
    context = {
        "enterprise": enterprise,
        "signals": signals_of(request.user, enterprise),
        "sections": sections.for_page(request.user, enterprise),
    }
    return render(request, "oversight/enterprise.html", context)
