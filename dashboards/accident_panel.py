"""The dashboard's accident panel: this year's accidents against the same period last year by grade (counted by the
rule of `accidents.figures`), each number linked to the records list, and each running lesson's comparison
self-checks (done of all, overdue; `accidents.states.state_q`), linked to the lesson and its overdue tasks. Three
queries whatever the numbers (the grades, the lessons, their tasks' counts)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.shortcuts import render
from django.utils import timezone

from accidents import figures
from accidents.choices import AccidentKind, LessonStatus, TaskState
from accidents.models import Lesson, LessonTask
from accidents.states import state_q
from duty_roster.choices import GRADE_ORDER, Grade
from organizations.scope import Scope, ScopeKind

# The records list and the lesson pages (the records' and the lessons' URLs, named here by path).
RECORDS_LIST = "/accidents/"
# A lesson stays on the panel this many days after its self-check's deadline (its overdue tasks still to chase).
LESSON_DAYS_AFTER_DEADLINE = 30
MAX_LESSONS = 8


@dataclass
class GradeRow:
    grade: str
    label: str
    accidents: int
    deaths: int
    previous_accidents: int
    previous_deaths: int
    link: str
    previous_link: str


def records_link(year: int, grade: str, to: date | None = None) -> str:
    """The records list of a year's production accidents here of a grade; `to` (a date, inclusive) stops it where
    the same period ends."""
    params = {"year": year, "grade": grade, "kind": AccidentKind.PRODUCTION.value, "external": "false"}
    if to is not None:
        params["to"] = to.isoformat()
    return f"{RECORDS_LIST}?{urlencode(params)}"


def grades(user, today: date) -> list[GradeRow]:
    """This year to today against the same days last year, by grade (every grade, zeros included): one query."""
    span = figures.between(today.replace(month=1, day=1), today)
    start, end = span.bounds()
    before_start, before_end = span.bounds(previous=True)
    now = Q(occurred_at__gte=start, occurred_at__lt=end)
    before = Q(occurred_at__gte=before_start, occurred_at__lt=before_end)
    rows = {
        row["grade"]: row
        for row in figures.counted(user)
        .filter(now | before)
        .values("grade")
        .annotate(
            n=Count("id", filter=now),
            d=Coalesce(Sum("deaths", filter=now), 0),
            pn=Count("id", filter=before),
            pd=Coalesce(Sum("deaths", filter=before), 0),
        )
        .order_by()
    }
    labels = dict(Grade.choices)
    result = []
    for grade in GRADE_ORDER:
        row = rows.get(grade, {"n": 0, "d": 0, "pn": 0, "pd": 0})
        result.append(
            GradeRow(
                str(grade), str(labels[grade]), row["n"], row["d"], row["pn"], row["pd"],
                records_link(today.year, grade), records_link(today.year - 1, grade, span.previous_end),
            )
        )  # fmt: skip
    return result


def lessons(user, now) -> list[dict]:
    """The published lessons in scope still running (deadline ahead, or passed within LESSON_DAYS_AFTER_DEADLINE
    days), soonest deadline first, with their tasks in the user's scope: total, done and overdue."""
    running = list(
        Lesson.objects.visible_to(user)
        .filter(status=LessonStatus.PUBLISHED, deadline__gte=now - timedelta(days=LESSON_DAYS_AFTER_DEADLINE))
        .order_by("deadline", "pk")[:MAX_LESSONS]
    )
    counts = {
        row["lesson"]: row
        for row in LessonTask.objects.visible_to(user)
        .filter(lesson__in=[lesson.pk for lesson in running])
        .values("lesson")
        .annotate(
            total=Count("id"),
            done=Count("id", filter=state_q(TaskState.DONE, now)),
            overdue=Count("id", filter=state_q(TaskState.OVERDUE, now)),
        )
        .order_by()
    }
    result = []
    for lesson in running:
        c = counts.get(lesson.pk, {"total": 0, "done": 0, "overdue": 0})
        result.append(
            {
                "lesson": lesson,
                **{key: c[key] for key in ("total", "done", "overdue")},
                "percent": round(c["done"] * 100 / c["total"]) if c["total"] else None,
                "link": f"/lessons/{lesson.pk}/",
                "overdue_link": f"/lessons/{lesson.pk}/tasks/?state={TaskState.OVERDUE.value}",
            }
        )
    return result


@login_required
def accidents_panel(request):
    if Scope.for_user(request.user).kind not in (ScopeKind.ALL, ScopeKind.REGION, ScopeKind.DEPARTMENT):
        raise PermissionDenied
    now = timezone.now()
    today = timezone.localdate()
    rows = grades(request.user, today)
    totals = {key: sum(getattr(r, key) for r in rows)
              for key in ("accidents", "deaths", "previous_accidents", "previous_deaths")}  # fmt: skip
    context = {
        "rows": rows,
        "totals": totals,
        "year": today.year,
        "same_day": figures.a_year_back(today),
        "lessons": lessons(request.user, now),
    }
    return render(request, "dashboards/panel_accidents.html", context)
