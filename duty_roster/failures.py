"""The speech's four failures, measured per duty post over a period:

1. leader not at the post (带班不在岗): shifts whose leader on duty has not checked in (`no_check_in`; an
   officer's check-in does not stand for the leader's), with the shifts whose leader checked in without proof of
   presence (`leader_unverified`) and every check-in without proof (`unverified_check_ins`) beside them;
2. contact not reachable (联络不通畅): roll calls unanswered or answered late;
3. incident not known (事故不知情): incident notices to the post acknowledged late or not at all;
4. response not in time (处置不及时): incident reports from the post's territory that were late.
Each figure is one grouped query; the four are joined by post in Python.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import Count, Exists, F, OuterRef, Q

from notifications.models import Notification
from organizations.models import User
from organizations.scope import visible_posts
from workdays.calendar import SHANGHAI

from .models import DutyCheckIn, DutyShift, IncidentReport
from .rota import leader_absent


def period(start: date, end: date) -> tuple[datetime, datetime]:
    return datetime.combine(start, time.min, tzinfo=SHANGHAI), datetime.combine(end + timedelta(days=1), time.min,
                                                                               tzinfo=SHANGHAI)  # fmt: skip


def four_failures(user: User, start: date, end: date) -> list[dict]:
    begin, finish = period(start, end)
    posts = {p.pk: p for p in visible_posts(user).select_related("region")}
    rows = {pk: {"post": pk, "title": p.title, "shifts": 0, "no_check_in": 0, "leader_unverified": 0,
                 "unverified_check_ins": 0, "roll_calls": 0, "roll_calls_failed": 0, "incident_notices_late": 0,
                 "reports_late": 0} for pk, p in posts.items()}  # fmt: skip
    shifts = DutyShift.objects.filter(post__in=posts, starts_at__gte=begin, starts_at__lt=finish)
    unproven = Exists(DutyCheckIn.objects.filter(shift=OuterRef("pk"), person=OuterRef("leader"), verified=False))
    for r in shifts.values("post").annotate(
        total=Count("id"), missed=Count("id", filter=Q(leader_absent())), unverified=Count("id", filter=Q(unproven))
    ):
        rows[r["post"]].update(shifts=r["total"], no_check_in=r["missed"], leader_unverified=r["unverified"])
    for r in (
        DutyCheckIn.objects.filter(shift__in=shifts, verified=False).values("shift__post").annotate(total=Count("id"))
    ):  # fmt: skip
        rows[r["shift__post"]]["unverified_check_ins"] = r["total"]
    for r in (
        Notification.objects.filter(key__startswith="rollcall:", position__in=posts, created_at__gte=begin,
                                    created_at__lt=finish)
        .values("position")
        .annotate(total=Count("id"), failed=Count("id", filter=Q(acknowledged_at__isnull=True)
                                                  | Q(acknowledged_at__gt=F("answer_due_at"))))
    ):  # fmt: skip
        rows[r["position"]].update(roll_calls=r["total"], roll_calls_failed=r["failed"])
    for r in (
        Notification.objects.filter(key__startswith="incident:", position__in=posts, created_at__gte=begin,
                                    created_at__lt=finish)
        .filter(Q(acknowledged_at__isnull=True) | Q(acknowledged_at__gt=F("answer_due_at")))
        .values("position").annotate(late=Count("id"))
    ):  # fmt: skip
        rows[r["position"]]["incident_notices_late"] = r["late"]
    late = IncidentReport.objects.filter(first_report=None, delay_minutes__gt=0)
    paths = list(late.filter(reported_at__gte=begin, reported_at__lt=finish).values_list("region_path", flat=True))
    for pk, post in posts.items():
        if post.region:
            rows[pk]["reports_late"] = sum(1 for path in paths if path.startswith(post.region.path))
    return sorted(rows.values(), key=lambda r: r["title"])
