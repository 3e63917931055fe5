"""Demo rota for `manage.py seed_demo`: the next 30 days at 海滨区's duty post, so `make run` has duties,
check-ins and (if nobody checks in) the alert."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from organizations.choices import PositionKind
from organizations.models import Position, User

from . import rota
from .models import DutyShift


def load_demo_rota() -> dict[str, int]:
    officer = User.objects.filter(username="demo-duty").first()
    leader = User.objects.filter(username="demo-district").first()
    post = Position.objects.filter(kind=PositionKind.DUTY_OFFICER, assignments__user=officer).first()
    if not (officer and leader and post) or DutyShift.objects.filter(post=post).exists():
        return {"shifts": DutyShift.objects.count(), "shifts_created": 0}
    today = timezone.localdate()
    result = rota.generate(User.objects.get(username="demo-city"), post, today, today + timedelta(days=29),
                           [leader], [officer])  # fmt: skip
    return {"shifts": DutyShift.objects.count(), "shifts_created": len(result.created)}
