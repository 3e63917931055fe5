"""The demo city's watches (动向掌握, 派人盯守) for `manage.py seed_demo`, all through `oversight.watches` by
demo-inspector of 市应急管理局: on three suspended enterprises, a closed mine and a site under construction (a few
enterprises in 市应急管理局's scope are put into those states through the registry's writer by demo-city when too
few are); one watch overdue (its last visit longer ago than its interval), one visit finding workers at a suspended
enterprise (the alert to demo-department, the department's head, and the territorial leader), one passed
resumption check (that enterprise operates again and its watch ends). Idempotent: once demo-inspector has started a
watch, nothing more is written."""

from __future__ import annotations

import io
import uuid
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from organizations.choices import OperatingState
from organizations.models import Enterprise, User
from organizations.registry import save_enterprise

from . import watches
from .models import Watch

NAMESPACE = uuid.UUID("5b0a4c5e-7f53-4d1c-9d7e-0a1f3c2b9e71")
# How many enterprises of each state the demo watches.
WANTED = {OperatingState.SUSPENDED: 3, OperatingState.CLOSED_MINE: 1, OperatingState.UNDER_CONSTRUCTION: 1}


def _photo() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (120, 110, 100)).save(buffer, "JPEG")
    return SimpleUploadedFile("现场.jpg", buffer.getvalue(), content_type="image/jpeg")


def _enterprises(inspector: User, city: User | None) -> dict[str, list[Enterprise]]:
    """The enterprises to watch, per state, in the inspector's scope; missing ones set to the state by demo-city."""
    visible = Enterprise.objects.visible_to(inspector).select_related("region")
    chosen: dict[str, list[Enterprise]] = {}
    for state, wanted in WANTED.items():
        found = list(visible.filter(operating_state=state).order_by("id")[:wanted])
        if len(found) < wanted and city is not None:
            spare = visible.filter(operating_state=OperatingState.OPERATING, is_key_unit=False).order_by("-id")
            for enterprise in spare[: wanted - len(found)]:
                enterprise.operating_state = state
                save_enterprise(city, enterprise, "演示：动向掌握")
                found.append(enterprise)
        chosen[state] = found
    return chosen


def _key(enterprise: Enterprise, n: int) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"{enterprise.credit_code}:{n}")


def load_demo_watches() -> dict[str, int]:
    inspector = User.objects.filter(username="demo-inspector").first()
    counts = {"watches": 0, "watch visits": 0, "watch alerts": 0, "resumption checks": 0}
    if inspector is None or Watch.objects.filter(started_by=inspector).exists():
        return counts
    chosen = _enterprises(inspector, User.objects.filter(username="demo-city").first())
    now = timezone.now()
    suspended = chosen[OperatingState.SUSPENDED]
    plans = []  # (enterprise, interval, [(days ago, observations, note, photo)], resumption)
    if suspended:
        plans.append((suspended[0], 14, [(20, ["no_activity", "seals_intact"], "封条完好，厂区无人。", False)], None))
    if len(suspended) > 1:
        plans.append((suspended[1], 7, [
            (6, ["no_activity", "power_off"], "已断电，无人员。", False),
            (0, ["seals_broken", "workers_present"], "夜间巡查发现封条被撕开，车间内有5名工人作业。", True),
        ], None))  # fmt: skip
    if len(suspended) > 2:
        plans.append((suspended[2], 10, [(3, ["no_activity", "seals_intact"], "整改期间无生产活动。", False)],
                      "隐患已整改完毕，安全管理制度健全，现场验收合格，同意复产。"))  # fmt: skip
    for enterprise in chosen[OperatingState.CLOSED_MINE]:
        plans.append((enterprise, 30, [(5, ["no_activity", "seals_intact", "equipment_removed"],
                                        "井口封闭完好，设备已拆除。", False)], None))  # fmt: skip
    for enterprise in chosen[OperatingState.UNDER_CONSTRUCTION]:
        plans.append((enterprise, 15, [(2, ["workers_present", "construction_safe"], "施工有序，防护到位。", False)],
                      None))  # fmt: skip
    for enterprise, interval, visits, resumption in plans:
        began = now - timedelta(days=max(days for days, *_ in visits) + interval)
        watch = watches.start(inspector, enterprise.pk, None, [inspector.pk], interval, "演示：停产整顿期间盯守",
                              started_at=began)  # fmt: skip
        counts["watches"] += 1
        for n, (days_ago, seen, note, photo) in enumerate(visits):
            when = now - timedelta(days=days_ago, hours=1)
            visit = watches.visit(inspector, watch.pk, seen, note, [_photo()] if photo else (), visited_at=when,
                                  key=_key(enterprise, n))  # fmt: skip
            counts["watch visits"] += 1
            counts["watch alerts"] += int(visit.activity_found and enterprise.operating_state in
                                          watches.NO_ACTIVITY_STATES)  # fmt: skip
        if resumption:
            watches.resume(inspector, enterprise.pk, True, resumption)
            counts["resumption checks"] += 1
    return counts
