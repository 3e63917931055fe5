"""The demo city's checks (`seed_demo`): the last two weeks' check tasks of the risk points there are, generated day
by day on the calendar; most done by the demo enterprise's principal, one of them hollow (answered in two seconds)
and one with a control not in place whose hazard is filed and linked; the rest overdue or missed.

Until the points' demo lands, the demo enterprise gets three points of its own (red, orange, yellow) when it has
none, so the checks have something to show."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from PIL import Image

from organizations.models import User

from . import checks, points
from .models import CheckResult, CheckTask, RiskPoint

DAYS = 14
FALLBACK_POINTS = [
    ("液氨储罐区", "罐区", "post", ("10", "6", "7"), [("engineering", "氨气泄漏报警器完好并联锁喷淋"),
                                                     ("protective", "罐区配备正压式空气呼吸器两套")]),
    ("配电室", "一号车间", "team", ("6", "6", "7"), [("management", "配电室门常闭、持证电工值守"),
                                                   ("emergency", "绝缘手套和灭火器在有效期内")]),
    ("叉车作业", "仓库", "workshop", ("3", "6", "7"), [("training", "叉车司机持证上岗"),
                                                     ("management", "作业区域划线、限速5公里")]),
]  # fmt: skip


def load_demo_checks() -> dict[str, int]:
    principal = User.objects.filter(username="demo-enterprise").select_related("enterprise").first()
    if principal is None or CheckResult.objects.exists():
        return {"risk_checks": CheckTask.objects.count(), "risk_checks_created": 0}
    with transaction.atomic():
        _points_of(principal)
        today = timezone.localdate()
        made = sum(checks.generate_tasks(today - timedelta(days=n)) for n in range(DAYS, -1, -1))
        _do_some(principal, today)
        checks.mark_missed(checks.previous_working_day(today))
    return {"risk_checks": CheckTask.objects.count(), "risk_checks_created": made}


def _points_of(principal: User) -> None:
    if RiskPoint.objects.filter(enterprise=principal.enterprise).exists():
        return
    for name, place, level, (l_, e, c), controls in FALLBACK_POINTS:
        data = points.PointData(
            fields={"name": name, "place": place, "control_level": level, "responsible_name": "王建国",
                    "hazard_factors": ["21", "22"], "accident_types": ["08", "19"]},
            evaluation={"method": "lec", "lec_l": Decimal(l_), "lec_e": Decimal(e), "lec_c": Decimal(c)},
            controls=[{"kind": kind, "measure": measure} for kind, measure in controls],
        )  # fmt: skip
        point, rows = points.build_point(principal.enterprise, data)
        points.save_new(principal, point, rows)


def _photo() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (180, 60, 40)).save(buffer, "JPEG")
    return SimpleUploadedFile("check.jpg", buffer.getvalue(), content_type="image/jpeg")


def _do_some(principal: User, today) -> None:
    """Of the demo enterprise's tasks begun before today: every other one done (the oldest of them hollow, the
    newest with its last control not in place); today's stay open, the others overdue or missed."""
    tasks = list(CheckTask.objects.filter(enterprise=principal.enterprise, period_start__lt=today)
                 .order_by("period_start", "id"))  # fmt: skip
    done = tasks[::2]
    for n, task in enumerate(done):
        controls = list(task.point.controls.filter(is_active=True).order_by("position", "id"))
        failing = n == len(done) - 1
        answers = [checks.Answer(control=c.pk, in_place=not (failing and c == controls[-1]),
                                 note="灭火器压力不足" if failing and c == controls[-1] else "",
                                 photos=(_photo(),) if failing and c == controls[-1] else ())
                   for c in controls]  # fmt: skip
        seconds = 2 if n == 0 else 240
        checks.record_check(principal, task, answers, timezone.now() - timedelta(seconds=seconds))
