"""Checking the checkers: hollow self-checks, inspectors who find nothing, and supervision differences.

The speech's complaints — inspections that find nothing, formality instead of substance — as three lists,
each one grouped query within the viewer's scope.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from organizations.models import User

from .choices import DONE, ENTERPRISE_KINDS, GOVERNMENT_KINDS, Result
from .models import Answer, Difference, Inspection


def found_something():
    return Answer.objects.filter(inspection=OuterRef("pk"), result=Result.FAIL)


def hollow_self_checks(user: User, days: int | None = None):
    """Self-checks that found nothing (the enterprise's own, and a lesson's comparison self-check), after which
    inspectors found hazards at the same enterprise within `days` (setting SELF_CHECK_FOLLOW_UP_DAYS, 90)."""
    days = days or settings.SELF_CHECK_FOLLOW_UP_DAYS
    later_findings = Inspection.objects.filter(
        enterprise=OuterRef("enterprise"),
        kind__in=GOVERNMENT_KINDS,
        status__in=DONE,
        date__gte=OuterRef("date"),
        date__lte=OuterRef("date") + timedelta(days=days),
    ).filter(Exists(found_something()))
    return (
        Inspection.objects.visible_to(user)
        .filter(kind__in=ENTERPRISE_KINDS, status__in=DONE)
        .exclude(Exists(found_something()))
        .filter(Exists(later_findings))
        .select_related("enterprise")
        .order_by("-date")
    )


def nothing_found(user: User, threshold: int | None = None, days: int = 180) -> list[dict]:
    """Inspectors (as team lead) whose inspections of key units found nothing `threshold` or more times in the
    last `days` (setting NOTHING_FOUND_THRESHOLD, 3): "查不出问题"."""
    threshold = threshold or settings.NOTHING_FOUND_THRESHOLD
    rows = (
        Inspection.objects.visible_to(user)
        .filter(
            kind__in=GOVERNMENT_KINDS,
            status__in=DONE,
            enterprise__is_key_unit=True,
            date__gte=timezone.localdate() - timedelta(days=days),
        )  # fmt: skip
        .values("lead", "lead__username", "lead__full_name")
        .annotate(
            inspections=Count("id"),
            empty=Count("id", filter=~Q(Exists(found_something()))),
        )
        .filter(empty__gte=threshold)
        .order_by("-empty")
    )
    return [
        {
            "user": r["lead"],
            "name": r["lead__full_name"] or r["lead__username"],
            "inspections": r["inspections"],
            "found_nothing": r["empty"],
        }  # fmt: skip
        for r in rows
    ]


def differences(user: User):
    """Supervision differences, newest first, with the original inspection's lead they count against."""
    return (
        Difference.objects.filter(original__in=Inspection.objects.visible_to(user))
        .select_related("original__lead", "original__enterprise", "item", "supervision")
        .order_by("-supervision__date", "-id")
    )
