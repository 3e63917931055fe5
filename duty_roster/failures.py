"""The speech's four failures, measured per duty post over a period:

1. leader not at the post (带班不在岗): shifts whose leader on duty has not checked in (`no_check_in`; an
   officer's check-in does not stand for the leader's), with the shifts whose leader checked in without proof of
   presence (`leader_unverified`) and every check-in without proof (`unverified_check_ins`) beside them;
2. contact not reachable (联络不通畅): posts called in a roll call that nobody answered in time, or where nobody
   could be reached at all (`roll_calls_failed` of `roll_calls`); and early warnings sent to the post (the
   must-answer notices of `early_warnings`, read here as notices only: kind `warning`, key
   `warning:<warning>:<post>:<person>`) that none of its holders answered within the answer time (`warnings_failed`
   of `warnings`, each warning once per post);
3. incident not known (事故不知情): incident notices to the post acknowledged late or not at all; the notices go to the
   city office's duty and to the duty posts of the units concerned (the territory's county government and the
   supervising department), so the figure means something for each of them;
4. response not in time (处置不及时): the post's incidents (from its territory, or supervised by its department) that
   were reported late, whose response steps (on scene, rescue, under control) came after their limits, or that the
   city office found omitted, false or concealed; and the reporting-chain levels of the post received or forwarded
   late (or not yet, past the due time).
Each figure is one query filtered to the viewer's posts in SQL and counted per post there (the incidents' figures
from the posts' side: a post's incidents are those under its region's path or supervised by its department); the
figures are joined by post in Python.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import CharField, Count, Exists, F, Func, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from notifications.models import Notification
from organizations.models import Position, User
from organizations.scope import visible_posts
from workdays.calendar import SHANGHAI

from .models import DutyCheckIn, DutyShift, IncidentFlag, IncidentRelay, IncidentReport, IncidentStep, RollCallTarget
from .rota import leader_absent


def period(start: date, end: date) -> tuple[datetime, datetime]:
    return datetime.combine(start, time.min, tzinfo=SHANGHAI), datetime.combine(end + timedelta(days=1), time.min,
                                                                               tzinfo=SHANGHAI)  # fmt: skip


def answered_in_time():
    """A notice of the outer post's roll call (`rollcall:<roll>:<post>:<person>`) answered within its limit."""
    prefix = Concat(Value("rollcall:"), Cast(OuterRef("roll_call_id"), CharField()), Value(":"),
                    Cast(OuterRef("post_id"), CharField()), Value(":"), output_field=CharField())  # fmt: skip
    return Notification.objects.filter(
        position=OuterRef("post_id"), key__startswith=prefix, acknowledged_at__lte=F("answer_due_at")
    )


def per_post(posts, incidents: QuerySet, to: str = "") -> QuerySet:
    """(post, count) of the rows of `incidents` that are the post's — its incident (`to` leads from the row to the
    incident) lies in the post's region (its path under the post region's path) or is supervised by the post's
    department (`department_post`): one query, one row per post, the posts filtered first and each counted
    in SQL, so the incidents of posts out of sight are neither read nor counted."""
    theirs = incidents.filter(
        Q(**{f"{to}department_post": OuterRef("pk")}) | Q(**{f"{to}region_path__startswith": OuterRef("region__path")})
    )
    count = theirs.order_by().annotate(total=Func(F("pk"), function="COUNT")).values("total")
    return (
        Position.objects.filter(pk__in=list(posts))
        .annotate(total=Subquery(count, output_field=IntegerField()))
        .order_by()
        .values_list("pk", "total")
    )


def warnings_per_post(posts, begin: datetime, finish: datetime) -> QuerySet:
    """Per post, the early warnings it was sent in the period (its must-answer notices of kind `warning`, keyed
    `warning:<warning>:<post>:<person>`, counted once per warning however many holders were told) and those none of
    its holders answered within the answer time: one grouped query over the posts' notices. Escalated notices
    (`up:…`) are the superior's, not a warning sent to it."""
    warning = Func(F("key"), Value(":"), Value(2), function="SPLIT_PART", output_field=CharField())
    in_time = Q(acknowledged_at__lte=F("answer_due_at"))
    return (
        Notification.objects.filter(kind="warning", key__startswith="warning:", must_answer=True, position__in=posts,
                                    created_at__gte=begin, created_at__lt=finish)
        .annotate(warning=warning)
        .values("position")
        .annotate(total=Count("warning", distinct=True), answered=Count("warning", distinct=True, filter=in_time))
    )  # fmt: skip


def four_failures(user: User, start: date, end: date) -> list[dict]:
    begin, finish = period(start, end)
    posts = {p.pk: p for p in visible_posts(user).select_related("region")}
    rows = {pk: {"post": pk, "title": p.title, "shifts": 0, "no_check_in": 0, "leader_unverified": 0,
                 "unverified_check_ins": 0, "roll_calls": 0, "roll_calls_failed": 0, "warnings": 0,
                 "warnings_failed": 0, "incident_notices": 0,
                 "incident_notices_late": 0, "reports_late": 0, "steps_late": 0, "relays_late": 0,
                 "reports_flagged": 0} for pk, p in posts.items()}  # fmt: skip
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
        RollCallTarget.objects.filter(post__in=posts, roll_call__called_at__gte=begin, roll_call__called_at__lt=finish)
        .annotate(answered=Exists(answered_in_time()))
        .values("post").annotate(total=Count("id"), failed=Count("id", filter=Q(flagged=True) | Q(answered=False)))
    ):  # fmt: skip
        rows[r["post"]].update(roll_calls=r["total"], roll_calls_failed=r["failed"])
    for r in warnings_per_post(posts, begin, finish):
        rows[r["position"]].update(warnings=r["total"], warnings_failed=r["total"] - r["answered"])
    for r in (
        Notification.objects.filter(key__startswith="incident:", position__in=posts, created_at__gte=begin,
                                    created_at__lt=finish)
        .values("position")
        .annotate(total=Count("id"), late=Count("id", filter=Q(acknowledged_at__isnull=True)
                                                | Q(acknowledged_at__gt=F("answer_due_at"))))
    ):  # fmt: skip
        rows[r["position"]].update(incident_notices=r["total"], incident_notices_late=r["late"])
    late = IncidentReport.objects.filter(first_report=None, delay_minutes__gt=0, reported_at__gte=begin,
                                         reported_at__lt=finish)  # fmt: skip
    steps = IncidentStep.objects.filter(delay_minutes__gt=0, at__gte=begin, at__lt=finish)
    flags = IncidentFlag.objects.filter(recorded_at__gte=begin, recorded_at__lt=finish)
    for figure, incidents, to in (("reports_late", late, ""), ("steps_late", steps, "incident__"),
                                  ("reports_flagged", flags, "incident__")):  # fmt: skip
        for pk, total in per_post(posts, incidents, to):
            rows[pk][figure] = total
    now = timezone.now()
    receipt_late = Q(received_at__isnull=True, receive_due_at__lt=now) | Q(received_at__gt=F("receive_due_at"))
    forward_late = Q(forwarded_at__isnull=True, forward_due_at__lt=now) | Q(forwarded_at__gt=F("forward_due_at"))
    for r in (
        IncidentRelay.objects.filter(post__in=posts, receive_due_at__gte=begin, receive_due_at__lt=finish)
        .filter(receipt_late | forward_late).values("post").annotate(late=Count("id"))
    ):  # fmt: skip
        rows[r["post"]]["relays_late"] = r["late"]
    return sorted(rows.values(), key=lambda r: r["title"])
