"""The demo city's illegal operations (打非治违) for `manage.py seed_demo`: a dozen found in the last two months
across the counties, of every kind, source and result, some by enterprises of the registry (one marking the
registry's borrowed-qualification flag) and some by operators outside it; one from a watch with no visit linked.

Through the writer (`oversight.illegal.record`), as demo-city. Idempotent: a record with the same description is
kept. The days found stay within this year, so the figures' default period (this year) shows them all."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from organizations.models import Enterprise, Industry, Region, User

from . import illegal
from .models import IllegalOperation

# (days ago, region code or None for the enterprise's, industry code, operator: an industry code to pick a registered
#  enterprise by ("@1001") or a name outside the registry, kind, source, source_ref, action, result, description)
SPECS = [
    (
        3,
        "990102002",
        "1001",
        "望海街道某无名化工仓库",
        "unlicensed",
        "tip_off",
        "JB-2026-0312",
        "ban",
        "banned",
        "群众举报居民区旁一处仓库无证储存甲醇、乙酸乙酯约20吨，现场无任何安全设施。",
    ),
    (
        6,
        "990121102",
        "1003",
        "石门镇后山私挖采石点",
        "unlicensed",
        "patrol",
        "",
        "police",
        "referred",
        "巡查发现无证私挖滥采石料，现场有爆破痕迹，涉嫌非法采矿，移送公安。",
    ),
    (
        9,
        None,
        "@2001",
        "",
        "borrowed_qualification",
        "inspection",
        "",
        "rectify",
        "open",
        "检查发现该工程由无资质施工队借用本企业资质承揽，项目经理未到岗。",
    ),
    (
        12,
        "990103002",
        "1002",
        "文昌街道某烟花零售点",
        "unlicensed",
        "tip_off",
        "JB-2026-0298",
        "ban",
        "banned",
        "居民楼底商无证储存、销售烟花爆竹约300箱。",
    ),
    (
        15,
        None,
        "@1003",
        "",
        "producing_while_suspended",
        "watch",
        "",
        "stop",
        "stopped",
        "停产整顿期间夜间组织生产，盯守人员发现井口有人员和车辆进出。",
    ),
    (
        18,
        "990122201",
        "1003",
        "白沙乡关闭矿井",
        "closed_mine_activity",
        "watch",
        "",
        "police",
        "referred",
        "已关闭矿井封闭设施被破坏，井下有人员活动痕迹。",
    ),
    (
        22,
        None,
        "@2001",
        "",
        "illegal_subcontracting",
        "inspection",
        "",
        "rectify",
        "rectified",
        "将主体结构施工违法分包给无资质的劳务队伍，已责令改正并重新签订合同。",
    ),
    (
        27,
        "990171002",
        "4001",
        "科创街道某储能电站（未登记）",
        "unlicensed",
        "patrol",
        "",
        "stop",
        "stopped",
        "未办理任何手续擅自建设并试运行储能电站，责令停止建设和运行。",
    ),
    (
        31,
        None,
        "@1001",
        "",
        "beyond_licence",
        "inspection",
        "",
        "fine",
        "rectified",
        "超出安全生产许可范围生产未列入许可的产品，已处罚款并整改。",
    ),
    (
        38,
        "990104002",
        "1008",
        "临港街道某加油点",
        "unlicensed",
        "tip_off",
        "JB-2026-0255",
        "",
        "open",
        "举报临港码头附近有流动加油车无证销售成品油，正在核查。",
    ),
    (
        45,
        "990121101",
        "1005",
        "青山镇某石灰窑",
        "other",
        "other",
        "",
        "stop",
        "open",
        "使用国家明令淘汰的土窑工艺生产石灰，已责令停产，拆除工作进行中。",
    ),
    (
        53,
        "990102003",
        "3002",
        "金沙街道某密室逃脱店",
        "unlicensed",
        "patrol",
        "",
        "rectify",
        "open",
        "未取得相关许可擅自营业，安全出口被封堵。",
    ),
]
FLAGGED = "borrowed_qualification"  # the registered builder's also sets the registry's flag


def _found_on(days_ago: int) -> date:
    today = timezone.localdate()
    return max(today - timedelta(days=days_ago), today.replace(month=1, day=1))


def _enterprise(industry_code: str, taken: set[int]) -> Enterprise | None:
    found = (
        Enterprise.objects.filter(industry__code=industry_code, operating_state="operating")
        .exclude(pk__in=taken)
        .select_related("region", "industry")
        .order_by("credit_code")
        .first()
    )
    if found is not None:
        taken.add(found.pk)
    return found


def _values(spec: tuple, taken: set[int]) -> dict | None:
    days, region_code, industry, operator, kind, source, ref, action, result, description = spec
    values = {"kind": kind, "description": description, "source": source, "found_on": _found_on(days)}
    if operator == "" and industry.startswith("@"):
        enterprise = _enterprise(industry[1:], taken)
        if enterprise is None:
            return None
        values["enterprise"] = enterprise
    else:
        region = Region.objects.filter(code=region_code).first()
        trade = Industry.objects.filter(code=industry).first()
        if region is None or trade is None:
            return None
        values |= {"operator_name": operator, "region": region, "industry": trade, "address": f"{operator}所在地"}
    if ref:
        values["source_ref"] = ref
    if action:
        values["action"] = action
    values["result"] = result
    return values


def load_demo_illegal() -> dict[str, int]:
    actor = User.objects.filter(username="demo-city").first()
    if actor is None:
        return {"illegal_operations": 0}
    created, taken = 0, set()
    for spec in reversed(SPECS):  # the oldest first, so the newest has the highest id (the lists' order)
        values = _values(spec, taken)
        if values is None or IllegalOperation.objects.filter(description=values["description"]).exists():
            continue
        illegal.record(actor, set_flag=values["kind"] == FLAGGED, **values)
        created += 1
    return {"illegal_operations": created}
