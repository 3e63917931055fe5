"""Holiday duty plans (节假日值班计划), the read side: the official holiday periods, each duty post's staffing gaps
in a period, and the city office's overview of which posts have submitted a plan and which shifts fall short.

The shifts are the plan; a `DutyPlan` row only records that the unit submitted them (`rota.submit_plan`). So the
overview always judges the shifts as they stand now, also after a submission.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Count
from django.utils.translation import gettext as _

from organizations.models import Position, User
from organizations.scope import visible_posts
from workdays.models import SpecialDay

from .models import DutyPlan, DutyShift

# More days than this in the error message are cut short: the month rota shows them all.
SHOWN_DAYS = 8


@dataclass(frozen=True)
class Period:
    """A holiday period: a run of consecutive official holidays, named after its festival(s)."""

    name: str
    start: date
    end: date

    @property
    def key(self) -> str:
        return f"{self.start:%Y-%m-%d}_{self.end:%Y-%m-%d}"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def holiday_periods(*years: int) -> list[Period]:
    """The runs of consecutive official holidays (weekends inside them included, as the calendar lists them)."""
    rows = SpecialDay.objects.filter(date__year__in=years, is_working_day=False).order_by("date")
    periods: list[Period] = []
    for day in rows:
        last = periods[-1] if periods else None
        if last and day.date == last.end + timedelta(days=1):
            name = last.name if day.name in last.name.split("、") else f"{last.name}、{day.name}"
            periods[-1] = Period(name, last.start, day.date)
        else:
            periods.append(Period(day.name, day.date, day.date))
    return periods


def period_from_key(key: str, periods: list[Period]) -> Period | None:
    return next((p for p in periods if p.key == key), None)


@dataclass
class Gaps:
    """Days of a period at one post with no shift, no leader on duty, or fewer officers than the minimum."""

    minimum: int
    missing: list[date] = field(default_factory=list)
    leaderless: list[date] = field(default_factory=list)
    understaffed: list[date] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.missing or self.leaderless or self.understaffed)

    def messages(self) -> list[str]:
        found = []
        if self.missing:
            found.append(_("No shift is planned on %(days)s.") % {"days": days_text(self.missing)})
        if self.leaderless:
            found.append(_("No leader on duty on %(days)s.") % {"days": days_text(self.leaderless)})
        if self.understaffed:
            found.append(
                _("Fewer than %(minimum)d duty officers on %(days)s.")
                % {"minimum": self.minimum, "days": days_text(self.understaffed)}
            )
        return found


def days_text(days: list[date]) -> str:
    text = "、".join(f"{d:%m-%d}" for d in days[:SHOWN_DAYS])
    return text + ("…" if len(days) > SHOWN_DAYS else "")


def minimum_officers(post: Position) -> int:
    """The minimum staffing of the post's unit kind (settings.DUTY_MIN_OFFICERS, besides the leader on duty)."""
    return settings.DUTY_MIN_OFFICERS.get(post.unit_kind, 1)


def staffing_gaps(posts: list[Position], start: date, end: date) -> dict[int, Gaps]:
    """Per post, its gaps in [start, end]: one grouped query for all the posts."""
    gaps = {p.pk: Gaps(minimum_officers(p)) for p in posts}
    planned: dict[int, dict[date, tuple[int | None, int]]] = {pk: {} for pk in gaps}
    rows = (
        DutyShift.objects.filter(post__in=list(gaps), date__range=(start, end))
        .values("post_id", "date", "leader_id").annotate(officers_count=Count("officers")).order_by()
    )  # fmt: skip
    for row in rows:
        planned[row["post_id"]][row["date"]] = (row["leader_id"], row["officers_count"])
    for pk, found in gaps.items():
        day = start
        while day <= end:
            if day not in planned[pk]:
                found.missing.append(day)
            else:
                leader, officers = planned[pk][day]
                if leader is None:
                    found.leaderless.append(day)
                if officers < found.minimum:
                    found.understaffed.append(day)
            day += timedelta(days=1)
    return gaps


@dataclass
class PlanRow:
    post: Position
    plan: DutyPlan | None
    gaps: Gaps

    @property
    def ready(self) -> bool:
        return self.plan is not None and not self.gaps


def plan_status(user: User, start: date, end: date) -> list[PlanRow]:
    """Every duty post the user answers for (all of them for the city office): the plan submitted for the period
    (one covering it), and the period's gaps as the shifts stand now. Three queries whatever the number of posts."""
    posts = list(
        visible_posts(user).select_related("region", "department", "enterprise").order_by("unit_kind", "title", "pk")
    )
    plans = {}
    for plan in (
        DutyPlan.objects.filter(post__in=posts, start__lte=start, end__gte=end)
        .select_related("submitted_by").order_by("submitted_at")
    ):  # fmt: skip
        plans[plan.post_id] = plan  # the latest wins
    gaps = staffing_gaps(posts, start, end)
    return [PlanRow(post, plans.get(post.pk), gaps[post.pk]) for post in posts]
