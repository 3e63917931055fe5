"""Demo rota for `manage.py seed_demo`: the next 30 days at 海滨区's duty post, each day with a leader on duty and
the unit kind's minimum of duty officers, so `make run` has duties, check-ins and (if nobody checks in) the
alert. A later run tops the rota up to 30 days ahead; days that have a shift are kept."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from organizations.choices import PositionKind
from organizations.models import Position, User

from . import rota
from .models import DutyShift
from .plans import minimum_officers

DAYS = 30


def load_demo_rota(extra_leaders: list[str] = (), extra_officers: list[str] = ()) -> dict[str, int]:
    """demo-district leads and demo-duty stands duty, with the people named (usernames) beside them."""
    officer = User.objects.filter(username="demo-duty").first()
    leader = User.objects.filter(username="demo-district").first()
    post = Position.objects.filter(kind=PositionKind.DUTY_OFFICER, assignments__user=officer).first()
    before = DutyShift.objects.count()
    today = timezone.localdate()
    end = today + timedelta(days=DAYS - 1)
    if (
        not (officer and leader and post)
        or DutyShift.objects.filter(post=post, date__range=(today, end)).count() == DAYS
    ):
        return {"shifts": before, "shifts_created": 0}
    leaders = [leader, *User.objects.filter(username__in=extra_leaders).order_by("username")]
    officers = [officer, *User.objects.filter(username__in=extra_officers).order_by("username")]
    rota.generate(User.objects.get(username="demo-city"), post, today, end, leaders, officers,
                  per_day=min(minimum_officers(post), len(officers)))  # fmt: skip
    return {"shifts": DutyShift.objects.count(), "shifts_created": DutyShift.objects.count() - before}
