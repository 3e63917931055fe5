"""Risk points for tests, written through the one writer's `build_point` and `save_new` (no audit actor), of a
chosen colour: LEC inputs that give it (red 420, orange 252, yellow 126, blue 42)."""

from __future__ import annotations

from decimal import Decimal

from organizations.models import Enterprise
from risks import points
from risks.models import RiskPoint

LEC = {
    "red": ("10", "6", "7"),
    "orange": ("6", "6", "7"),
    "yellow": ("3", "6", "7"),
    "blue": ("1", "6", "7"),
}


def make_point(enterprise: Enterprise, colour: str = "yellow", controls: int = 2, actor=None, **fields) -> RiskPoint:
    """A point of `enterprise` whose computed grade is `colour`, with `controls` control measures."""
    l_, e, c = (Decimal(v) for v in LEC[colour])
    data = points.PointData(
        fields={"name": "储罐区", "place": "一号罐区", "responsible_name": "王工", "control_level": "team",
                "hazard_factors": ["22"], "accident_types": ["08", "19"], **fields},
        evaluation={"method": "lec", "lec_l": l_, "lec_e": e, "lec_c": c},
        controls=[{"kind": "engineering" if n % 2 else "management", "measure": f"措施{n}"}
                  for n in range(1, controls + 1)],
    )  # fmt: skip
    point, rows = points.build_point(enterprise, data)
    points.save_new(actor, point, rows)
    return point
