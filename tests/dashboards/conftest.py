"""A hand-made ledger: hazards written directly with known dates, states and responsibilities, so that every
dashboard figure can be counted by hand."""

from __future__ import annotations

from datetime import datetime
from itertools import count

import pytest
import time_machine

from hazards.models import Hazard, HazardCategory
from organizations.models import PositionAssignment
from organizations.responsibility import SupervisionMap
from workdays.calendar import SHANGHAI

NOW = datetime(2026, 6, 15, 10, 0, tzinfo=SHANGHAI)
_codes = count(1)


def at(month: int, day: int, hour: int = 9, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, 0, tzinfo=SHANGHAI)


def make(world, enterprise, status: str, created: datetime, deadline: datetime | None = None,
         closed: datetime | None = None, level: str = "general", recurrence_of=None) -> Hazard:  # fmt: skip
    supervision = SupervisionMap().resolve(enterprise)
    return Hazard.objects.create(
        code=f"YH-T-{next(_codes):05d}",
        title="隐患",
        enterprise=enterprise,
        place="一号仓库",
        category=HazardCategory.objects.get(code="fire"),
        level=level,
        found_at=created,
        found_by=world.users["inspector"],
        created_by=world.users["inspector"],
        created_at=created,
        deadline=deadline,
        status=status,
        region=enterprise.region,
        region_path=enterprise.region.path,
        industry=enterprise.industry,
        department=supervision.department,
        closed_at=closed,
        recurrence_of=recurrence_of,
    )


@pytest.fixture
def ledger(world, settings, tmp_path):
    """Twelve hazards over the two districts, at 2026-06-15 10:00 (the clock stays there for the test).

    e1 (海滨区, 危险化学品, 海滨区应急管理局), e2 (新城区, 建筑施工, 新城区住建局), e3 (新城区, 非煤矿山, 市应急管理局).
    Filed in 2026: 10 (one dismissed, four closed of which three on time, one recurrence); filed in 2025: 2.
    Open now: 6, of which overdue 3; major open: 2.
    """
    settings.MEDIA_ROOT = tmp_path / "media"
    PositionAssignment.objects.update(started_at=at(1, 1, year=2020))  # held since long before the clock's date
    traveller = time_machine.travel(NOW, tick=False)
    traveller.start()
    e1, e2, e3 = world.e1, world.e2, world.e3
    h = world.hazards = {}
    h["old_open"] = make(world, e1, "rectifying", at(11, 3, year=2025), deadline=at(12, 1, year=2025))  # overdue
    h["old_closed"] = make(world, e2, "closed", at(10, 1, year=2025), deadline=at(11, 1, year=2025),
                           closed=at(10, 20, year=2025))  # fmt: skip
    h["closed_on_time"] = make(world, e1, "closed", at(1, 5), deadline=at(2, 1), closed=at(1, 20))
    h["closed_late"] = make(world, e1, "closed", at(2, 3), deadline=at(3, 1), closed=at(3, 10))
    h["closed_no_deadline"] = make(world, e2, "closed", at(3, 2), closed=at(3, 4))
    h["closed_june"] = make(world, e3, "closed", at(6, 8), deadline=at(6, 30), closed=at(6, 12))
    h["dismissed"] = make(world, e2, "dismissed", at(4, 1))
    h["reported"] = make(world, e2, "reported", at(6, 10))
    h["confirmed_overdue"] = make(world, e2, "confirmed", at(4, 10), deadline=at(5, 10))
    h["major_rectifying"] = make(world, e1, "rectifying", at(5, 20), deadline=at(7, 20), level="major")
    h["major_overdue"] = make(world, e3, "awaiting_acceptance", at(3, 15), deadline=at(6, 1), level="major")
    h["recurrence"] = make(world, e1, "rectifying", at(6, 9), deadline=at(6, 25), recurrence_of=h["closed_late"])
    yield world
    traveller.stop()
