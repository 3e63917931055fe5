"""Demo risk points for `manage.py seed_demo`: demo-enterprise's chemical works with eight points of every colour
(LEC and the risk matrix, a raised grade, a major hazard source, key places, one re-evaluation a year overdue and
one due after repeated hazards), and three or four points at every fourth enterprise of the city, some overdue,
one enterprise due after an accident.

Written through the one writer (`build_point`, `save_new`: audited); only the dates of the overdue ones are set
back, as a year having passed. Idempotent: an enterprise that has points gets none."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from organizations.models import Enterprise, User
from organizations.responsibility import SupervisionMap

from . import points
from .models import RiskPoint

SEED = 20261204
# (name, kind, place, factors, accidents, level, evaluation, flags, controls); evaluation ("lec", L, E, C) or
# ("ls", L, S), with an override (colour, reason) as a fourth or third item.
FIRM = [
    (
        "液氨储罐区",
        "facility",
        "罐区",
        ["21", "22"],
        ["17", "19", "08"],
        "company",
        ("lec", 6, 6, 15),
        {"is_major_hazard_source": True, "is_key_place": True},
        [
            ("engineering", "氨气泄漏报警与紧急切断联锁"),
            ("protective", "正压式空气呼吸器两套"),
            ("emergency", "泄漏应急处置卡及每季度演练"),
        ],
    ),
    (
        "检维修动火作业",
        "activity",
        "全厂",
        ["12", "43"],
        ["08", "18"],
        "company",
        ("ls", 4, 5),
        {"is_key_place": True},
        [("management", "动火作业票三级审批"), ("engineering", "动火前可燃气体检测"), ("training", "作业人员持证上岗")],
    ),
    (
        "甲醇装卸栈台",
        "activity",
        "装卸区",
        ["22", "12"],
        ["08", "18"],
        "workshop",
        ("lec", 3, 6, 15),
        {"is_key_place": True},
        [("engineering", "静电接地报警"), ("management", "装卸全程专人监护")],
    ),
    (
        "反应釜操作岗",
        "activity",
        "一车间",
        ["21", "12"],
        ["17", "07"],
        "post",
        ("ls", 3, 4),
        {},
        [("engineering", "温度压力超限联锁"), ("training", "岗位操作规程考核")],
    ),
    (
        "叉车作业",
        "activity",
        "成品仓库",
        ["12", "21"],
        ["02"],
        "team",
        ("lec", 3, 6, 7),
        {},
        [("management", "叉车限速5公里每小时"), ("protective", "反光背心")],
    ),
    (
        "化验室",
        "place",
        "质检中心",
        ["22"],
        ["19", "07"],
        "team",
        ("ls", 2, 2),
        {},
        [("engineering", "通风橱定期检测"), ("protective", "防护眼镜与手套")],
    ),
    (
        "配电室",
        "place",
        "动力车间",
        ["21"],
        ["05", "08"],
        "workshop",
        ("lec", 1, 6, 7, ("yellow", "夏季用电高峰负荷增加")),
        {},
        [("engineering", "绝缘垫与挡鼠板"), ("management", "双人巡检制度")],
    ),
    ("办公楼", "place", "行政区", ["31"], ["08"], "company", ("ls", 1, 2), {}, [("emergency", "疏散通道每日检查")]),
]
# Points for any enterprise, each with a few evaluations the generator picks among.
COMMON = [
    (
        "配电室",
        "place",
        "动力区",
        ["21"],
        ["05", "08"],
        "workshop",
        [("lec", 1, 6, 7), ("lec", 3, 6, 7), ("ls", 2, 3)],
        [("engineering", "绝缘防护"), ("management", "定期巡检")],
    ),
    (
        "有限空间作业",
        "activity",
        "污水池",
        ["22", "33"],
        ["19"],
        "company",
        [("lec", 3, 6, 15), ("lec", 6, 3, 40), ("ls", 3, 5)],
        [("management", "先通风、再检测、后作业"), ("protective", "长管呼吸器")],
    ),
    (
        "仓库",
        "place",
        "原料仓库",
        ["21", "31"],
        ["08", "01"],
        "team",
        [("lec", 1, 6, 3), ("lec", 3, 6, 3), ("ls", 2, 2)],
        [("management", "物品限高堆放"), ("emergency", "灭火器每月检查")],
    ),
    (
        "高处作业",
        "activity",
        "厂房屋面",
        ["12", "32"],
        ["09"],
        "team",
        [("lec", 3, 2, 15), ("lec", 6, 2, 15), ("ls", 3, 4)],
        [("protective", "安全带高挂低用"), ("engineering", "临边防护栏杆")],
    ),
    (
        "特种设备",
        "facility",
        "锅炉房",
        ["21"],
        ["16", "07"],
        "workshop",
        [("lec", 1, 3, 40), ("lec", 3, 3, 40), ("ls", 2, 4)],
        [("management", "定期检验"), ("training", "司炉工持证")],
    ),
    (
        "消防通道",
        "place",
        "厂区",
        ["31", "45"],
        ["08"],
        "post",
        [("ls", 1, 3), ("ls", 2, 4), ("lec", 1, 6, 7)],
        [("management", "每日巡查不得占用")],
    ),
]


def _evaluation(spec: tuple) -> dict:
    method, *values = spec
    override = values.pop() if values and isinstance(values[-1], tuple) else None
    names = ("lec_l", "lec_e", "lec_c") if method == "lec" else ("ls_l", "ls_s")
    inputs = {"method": method} | {
        n: (Decimal(v) if method == "lec" else v) for n, v in zip(names, values, strict=True)
    }
    if override:
        inputs |= {"override_colour": override[0], "override_reason": override[1]}
    return inputs


def _data(name, kind, place, factors, accidents, level, judged, flags, controls) -> points.PointData:
    fields = {"name": name, "kind": kind, "place": place, "hazard_factors": factors, "accident_types": accidents,
              "control_level": level, "responsible_name": "安全员", "report_phone": "0532-81000110",
              **flags}  # fmt: skip
    return points.PointData(fields, _evaluation(judged), [{"kind": k, "measure": m} for k, m in controls])


def _write(actor, enterprise: Enterprise, specs: list[points.PointData], supervision: SupervisionMap) -> list:
    made = []
    for data in specs:
        point, controls = points.build_point(enterprise, data, supervision)
        points.save_new(actor, point, controls)
        made.append(point)
    return made


def _age(pks: list[int], days: int) -> None:
    """As if evaluated `days` ago, so the yearly date has passed."""
    then = timezone.now() - timedelta(days=days)
    due = (then + timedelta(days=points.settings.RISK_REEVALUATION_DAYS)).date()
    RiskPoint.objects.filter(pk__in=pks).update(evaluated_at=then, reevaluate_by=due)


def load_risk_points() -> dict[str, int]:
    firm_user = User.objects.filter(username="demo-enterprise").select_related("enterprise__region").first()
    if firm_user is None or firm_user.enterprise is None:
        return {"risk_points": 0, "risk_points_created": 0}
    before = RiskPoint.objects.count()
    rng, supervision = random.Random(SEED), SupervisionMap()
    having = set(RiskPoint.objects.values_list("enterprise_id", flat=True).distinct())
    others = Enterprise.objects.exclude(pk=firm_user.enterprise_id).select_related("region").order_by("id")[::4]
    with transaction.atomic():
        if firm_user.enterprise_id not in having:
            made = _write(firm_user, firm_user.enterprise, [_data(*spec) for spec in FIRM], supervision)
            _age([made[4].pk], 400)  # 叉车作业: evaluated 400 days ago
            points.mark_due(RiskPoint.objects.filter(pk=made[5].pk), "hazards", "化验室一个月内发现两处隐患")
        aged = []
        for enterprise in (e for e in others if e.pk not in having):
            picked = rng.sample(COMMON, rng.choice((3, 4)))
            specs = [_data(n, k, p, f, a, lv, rng.choice(js), {"is_key_place": rng.random() < 0.2}, c)
                     for n, k, p, f, a, lv, js, c in picked]  # fmt: skip
            made = _write(None, enterprise, specs, supervision)
            aged += [p.pk for p in made if rng.random() < 0.15]
        _age(aged, 380)
        accident = next((e for e in others if e.pk not in having), None)
        if accident is not None:
            cause = "演示：生产安全事故（机械伤害）"
            points.mark_due(RiskPoint.objects.filter(enterprise=accident), "accident", cause)
    return {"risk_points": RiskPoint.objects.count(), "risk_points_created": RiskPoint.objects.count() - before}
