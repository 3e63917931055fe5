"""Generated risk points for benchmarks (`manage.py seed_bulk --risk-points N`): points over the bulk enterprises,
of every colour and control level, each with two control measures; written by COPY on PostgreSQL, the controls by
one INSERT … SELECT. Bulk points are those of the bulk enterprises."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from organizations.models import Enterprise
from organizations.responsibility import SupervisionMap
from risks.choices import ControlKind, ControlLevel
from risks.evaluation import lec_colour
from risks.models import CheckResult, CheckTask, PointHazard, RiskControl, RiskEvaluation, RiskPoint

from .copy import bulk_insert
from .enterprises import BULK_PREFIX

# LEC inputs by colour (red 420, orange 252, yellow 126, blue 42) and how often each is drawn.
LEC = {"red": (10, 6, 7), "orange": (6, 6, 7), "yellow": (3, 6, 7), "blue": (1, 6, 7)}
COLOUR_WEIGHTS = {"red": 3, "orange": 12, "yellow": 35, "blue": 50}
LEVEL_WEIGHTS = {ControlLevel.POST: 40, ControlLevel.TEAM: 35, ControlLevel.WORKSHOP: 15, ControlLevel.COMPANY: 10}
NAMES = [
    "储罐区",
    "配电室",
    "锅炉房",
    "喷漆作业",
    "有限空间作业",
    "叉车作业",
    "动火作业",
    "危化品仓库",
    "冲压设备",
    "厨房",
]
PLACES = ["一号车间", "二号车间", "仓库", "办公楼", "厂区道路", "装卸区", "地下室"]
CONTROLS = [(ControlKind.ENGINEERING, "安装泄漏报警和联锁装置"), (ControlKind.MANAGEMENT, "落实作业审批和现场监护")]


def bulk_points():
    return RiskPoint.objects.filter(enterprise__credit_code__startswith=BULK_PREFIX)


def delete_bulk_risk_points() -> int:
    """Everything hanging from bulk points first (checks, controls, evaluations, links), by raw deletes."""
    points = bulk_points().values("id")
    if not points.exists():
        return 0
    CheckResult.objects.filter(task__point__in=points)._raw_delete(connection.alias)
    CheckTask.objects.filter(point__in=points)._raw_delete(connection.alias)
    for model in (RiskControl, RiskEvaluation, PointHazard):
        model.objects.filter(point__in=points)._raw_delete(connection.alias)
    deleted = bulk_points()._raw_delete(connection.alias)
    _analyze()
    return deleted


def _analyze() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in ("risks_riskpoint", "risks_riskcontrol", "risks_checktask"):
                cursor.execute(f"ANALYZE {table}")


def load_bulk_risk_points(count: int, seed: int, reset: bool = False) -> dict[str, int]:
    deleted = delete_bulk_risk_points() if reset else 0
    if not count:
        return {"deleted": deleted, "inserted": 0}
    last = RiskPoint.objects.order_by("-id").values_list("id", flat=True).first() or 0
    inserted = bulk_insert(RiskPoint, bulk_risk_point_rows(count, seed))
    controls = sum(
        _controls_for_new(last, kind, measure, position) for position, (kind, measure) in enumerate(CONTROLS, start=1)
    )
    _analyze()
    return {"deleted": deleted, "inserted": inserted, "controls": controls}


def _controls_for_new(after_id: int, kind: str, measure: str, position: int) -> int:
    """One control of every point written after `after_id`, in one statement."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO risks_riskcontrol (point_id, kind, measure, position, is_active) "
            "SELECT id, %s, %s, %s, %s FROM risks_riskpoint WHERE id > %s",
            [kind, measure, position, True, after_id],
        )
        return cursor.rowcount


def bulk_risk_point_rows(count: int, seed: int) -> Iterator[dict]:
    rng = random.Random(seed * 15485863 + count)
    enterprises = list(
        Enterprise.objects.filter(credit_code__startswith=BULK_PREFIX).select_related("region").order_by("id")
    )
    if not enterprises:
        raise ValueError("Generate bulk enterprises first (--enterprises N).")
    supervision = SupervisionMap()
    departments = {e.id: getattr(supervision.resolve(e).department, "id", None) for e in enterprises}
    colours, colour_weights = zip(*COLOUR_WEIGHTS.items(), strict=True)
    levels, level_weights = zip(*LEVEL_WEIGHTS.items(), strict=True)
    now = timezone.now()
    today = timezone.localdate()
    for n in range(count):
        enterprise = enterprises[n % len(enterprises)]  # spread evenly: 1,000,000 over 100,000 is 10 each
        colour = rng.choices(colours, colour_weights)[0]
        l_, e, c = LEC[colour]
        score = Decimal(l_ * e * c)
        evaluated = now - timedelta(days=rng.randint(0, 400))
        yield {
            "enterprise_id": enterprise.id,
            "region_id": enterprise.region_id,
            "region_path": enterprise.region.path,
            "industry_id": enterprise.industry_id,
            "department_id": departments[enterprise.id],
            "name": rng.choice(NAMES),
            "kind": "place",
            "place": rng.choice(PLACES),
            "description": "",
            "hazard_factors": json.dumps(["21", "22"]),
            "accident_types": json.dumps(["08", "19"]),
            "control_level": rng.choices(levels, level_weights)[0],
            "responsible_name": "负责人",
            "responsible_phone": "",
            "is_key_place": rng.random() < 0.1,
            "is_major_hazard_source": False,
            "meets_major_criterion": False,
            "emergency_measures": "",
            "report_phone": "",
            "method": "lec",
            "lec_l": Decimal(l_),
            "lec_e": Decimal(e),
            "lec_c": Decimal(c),
            "ls_l": None,
            "ls_s": None,
            "score": score,
            "computed_colour": lec_colour(score),
            "override_colour": "",
            "override_reason": "",
            "colour": colour,
            "evaluated_at": evaluated,
            "evaluated_by_id": None,
            "reevaluate_by": (evaluated + timedelta(days=365)).date()
            if rng.random() > 0.05
            else today - timedelta(days=3),
            "reevaluation_reason": "yearly",
            "is_active": True,
            "created_at": evaluated,
            "updated_at": evaluated,
        }
