"""Dashboard and document fixtures.

- Documents: the hazard World (people and hazards walked through the workflow) and a helper that reads a PDF back
  and keeps it (and a PNG) for a person.
- Dashboards: a hand-made ledger, hazards written directly with known dates, states and responsibilities, so that
  every dashboard figure can be counted by hand (`put`, `when`, the `ledger` fixture)."""

from __future__ import annotations

import subprocess
from datetime import datetime
from itertools import count

import pytest
import time_machine
from django.utils import timezone

from hazards import workflow
from hazards.models import Hazard, HazardCategory
from organizations.models import PositionAssignment
from organizations.responsibility import SupervisionMap
from workdays.calendar import SHANGHAI

from ..browser.conftest import ARTIFACTS
from ..conftest import need
from ..hazards.conftest import filing, hz, media  # noqa: F401 - fixtures shared with the hazard tests

TZ = timezone.get_default_timezone()


def at(month: int, day: int, year: int = 2026) -> datetime:
    return datetime(year, month, day, 10, 0, tzinfo=TZ)


def make(world, enterprise, level="general", found=(5, 1), closed=None, status=None, **extra) -> Hazard:
    """A hazard filed now by the city office at the enterprise, found on a past day; closed (at a past time) or put
    in another status by hand: the reports read only these fields."""
    hazard, _ = workflow.file_hazard(
        world.users["city"],
        filing(world, enterprise=enterprise, level=level, title=f"隐患{found}", found_at=at(*found)),
    )
    if closed:
        Hazard.objects.filter(pk=hazard.pk).update(status="closed", closed_at=at(*closed))
    elif status:
        Hazard.objects.filter(pk=hazard.pk).update(status=status)
    if extra:
        Hazard.objects.filter(pk=hazard.pk).update(**extra)
    hazard.refresh_from_db()
    return hazard


def pdf_text(content: bytes, name: str) -> str:
    """Keep the PDF and its first pages as PNG under artifacts/ (out of git), and return its text."""
    need("pdftotext")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob(f"{name}-*.png"):
        old.unlink()
    pdf = ARTIFACTS / f"{name}.pdf"
    pdf.write_bytes(content)
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(ARTIFACTS / name)], check=True)
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


# Dashboards: a hand-made ledger ------------------------------------------------------------------------------

NOW = datetime(2026, 6, 15, 10, 0, tzinfo=SHANGHAI)
_codes = count(1)


def when(month: int, day: int, hour: int = 9, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, 0, tzinfo=SHANGHAI)


def put(world, enterprise, status: str, created: datetime, deadline: datetime | None = None,
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
    PositionAssignment.objects.update(started_at=when(1, 1, year=2020))  # held since long before the clock's date
    traveller = time_machine.travel(NOW, tick=False)
    traveller.start()
    e1, e2, e3 = world.e1, world.e2, world.e3
    h = world.hazards = {}
    h["old_open"] = put(world, e1, "rectifying", when(11, 3, year=2025), deadline=when(12, 1, year=2025))  # overdue
    h["old_closed"] = put(world, e2, "closed", when(10, 1, year=2025), deadline=when(11, 1, year=2025),
                           closed=when(10, 20, year=2025))  # fmt: skip
    h["closed_on_time"] = put(world, e1, "closed", when(1, 5), deadline=when(2, 1), closed=when(1, 20))
    h["closed_late"] = put(world, e1, "closed", when(2, 3), deadline=when(3, 1), closed=when(3, 10))
    h["closed_no_deadline"] = put(world, e2, "closed", when(3, 2), closed=when(3, 4))
    h["closed_june"] = put(world, e3, "closed", when(6, 8), deadline=when(6, 30), closed=when(6, 12))
    h["dismissed"] = put(world, e2, "dismissed", when(4, 1))
    h["reported"] = put(world, e2, "reported", when(6, 10))
    h["confirmed_overdue"] = put(world, e2, "confirmed", when(4, 10), deadline=when(5, 10))
    h["major_rectifying"] = put(world, e1, "rectifying", when(5, 20), deadline=when(7, 20), level="major")
    h["major_overdue"] = put(world, e3, "awaiting_acceptance", when(3, 15), deadline=when(6, 1), level="major")
    h["recurrence"] = put(world, e1, "rectifying", when(6, 9), deadline=when(6, 25), recurrence_of=h["closed_late"])
    yield world
    traveller.stop()


# Quarterly statistics ----------------------------------------------------------------------------------------


@pytest.fixture
def q2(world):
    """Q2 2026 (1 April to 30 June), filed now with the days found in the past.

    海滨区 (e1, chemicals): general found 10 Apr closed 10 May; general found 1 May open; major found 2 May
    closed 15 May.  新城区: e2 (construction) general found 20 Apr open; major found 3 May open; general found
    21 Apr closed 5 Jul (after the quarter: not rectified in Q2); e3 (mines) general found 5 May closed 6 May.
    Not counted: a dismissed hazard at e4, one found in Q1 at e1, one found in Q3 at e2.
    """
    make(world, world.e1, found=(4, 10), closed=(5, 10))
    make(world, world.e1, found=(5, 1))
    make(world, world.e1, "major", found=(5, 2), closed=(5, 15))
    make(world, world.e2, found=(4, 20))
    make(world, world.e2, "major", found=(5, 3))
    make(world, world.e2, found=(4, 21), closed=(7, 5))
    make(world, world.e3, found=(5, 5), closed=(5, 6))
    make(world, world.e4, found=(5, 7), status="dismissed")
    make(world, world.e1, found=(3, 20), closed=(4, 2))
    make(world, world.e2, found=(7, 2))
    return world
