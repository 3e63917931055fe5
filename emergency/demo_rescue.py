"""Demo rescue teams for `manage.py seed_demo`: a fire and rescue brigade (消防救援大队) of 市消防救援支队 in each
district and county, 市应急管理局's mine rescue team and 海滨区应急管理局's hazchem team, 河谷县's flood team and
青山县's forest firefighting team (both the county government's own); all of them raised for the next holiday of
the calendar, and 海滨区's brigade standing at the exhibition centre now.

Through the workflow (audited) as demo-city. Idempotent: teams are keyed by region and name, the holiday raise is
made once per holiday, the pre-positioning once while one stands or is planned."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from organizations.models import Department, Region, User

from . import rescue
from .models import Prepositioning, ReadinessPeriod, RescueTeam

FIRE = "city-xfzd"
# (region code, name, kind, owning department code or "" for the region's government, headcount, equipment)
TEAMS = [
    ("990102", "海滨区消防救援大队", "fire_rescue", FIRE, 62, "水罐消防车6辆、登高平台车1辆、抢险救援车2辆"),
    ("990103", "新城区消防救援大队", "fire_rescue", FIRE, 48, "水罐消防车4辆、泡沫消防车2辆"),
    ("990104", "港口区消防救援大队", "fire_rescue", FIRE, 55, "水罐消防车4辆、消防船1艘、泡沫消防车2辆"),
    ("990121", "青山县消防救援大队", "fire_rescue", FIRE, 36, "水罐消防车3辆、森林消防车1辆"),
    ("990122", "河谷县消防救援大队", "fire_rescue", FIRE, 34, "水罐消防车3辆、抢险救援车1辆"),
    ("990171", "开发区消防救援大队", "fire_rescue", FIRE, 40, "水罐消防车3辆、化学洗消车1辆"),
    ("990121101", "市矿山救护队", "mine", "city-yjj", 45, "正压氧气呼吸器60台、矿用救护车3辆、气体检测仪"),
    ("990102001", "海滨区危化品应急救援队", "hazchem", "990102-yjj", 30, "防化服40套、洗消车1辆、堵漏工具"),
    ("990122101", "河谷县防汛抢险队", "flood", "", 80, "冲锋舟6艘、排涝泵车2辆、沙袋5000只"),
    ("990121201", "青山县森林消防队", "forest_fire", "", 50, "风力灭火机30台、水泵12台、无人机2架"),
]
PLACE = ("海滨国际会展中心", "990102002", "望海路88号", 12, "水罐消防车1辆、抢险救援车1辆", "国际车展期间前置值守")
STANDING = timedelta(hours=10)


def load_rescue() -> dict[str, int]:
    """The teams, the holiday raise and the pre-positioning; counts for seed_demo's summary."""
    actor = User.objects.filter(username="demo-city").first()
    if actor is None:
        return {"rescue_teams": 0, "rescue_teams_created": 0}
    regions = {r.code: r for r in Region.objects.filter(code__in={t[0] for t in TEAMS} | {PLACE[1]})}
    departments = {d.code: d for d in Department.objects.filter(code__in={t[3] for t in TEAMS if t[3]})}
    before = RescueTeam.objects.count()
    for code, name, kind, owner, headcount, equipment in TEAMS:
        if code not in regions or (owner and owner not in departments):
            continue
        if not RescueTeam.objects.filter(region=regions[code], name=name).exists():
            rescue.register_team(actor, rescue.TeamData(
                name=name, kind=kind, region=regions[code], department=departments.get(owner),
                base_address=f"{regions[code].name}{name[-4:]}驻地", duty_phone=f"0532-8{code[-3:]}{headcount:04d}",
                headcount=headcount, equipment=equipment,
            ))  # fmt: skip
    counts = {"rescue_teams": RescueTeam.objects.count(), "rescue_teams_created": RescueTeam.objects.count() - before}
    counts.update(raise_for_holiday(actor))
    counts.update(stand_at_exhibition(actor, regions))
    return counts


def raise_for_holiday(actor: User) -> dict[str, int]:
    """All the city's teams raised for the next holiday, once."""
    holiday = rescue.next_holiday()
    city = Region.objects.filter(parent=None).first()
    if holiday is None or city is None or holiday.ends_at <= timezone.now():
        return {"readiness_periods_created": 0}
    if ReadinessPeriod.objects.filter(reason=holiday.name, starts_at=holiday.starts_at).exists():
        return {"readiness_periods_created": 0}
    return {"readiness_periods_created": len(rescue.raise_for_next_holiday(actor, city))}


def stand_at_exhibition(actor: User, regions: dict[str, Region]) -> dict[str, int]:
    """海滨区's brigade at the exhibition centre from now for ten hours, unless it stands or is planned somewhere."""
    team = RescueTeam.objects.filter(name=TEAMS[0][1]).first()
    place, code, address, headcount, equipment, reason = PLACE
    now = timezone.now()
    if team is None or code not in regions or Prepositioning.objects.filter(team=team, ends_at__gt=now).exists():
        return {"prepositionings_created": 0}
    deployment = rescue.Deployment(place, regions[code], headcount, now + STANDING, reason, now, address, equipment)
    rescue.preposition(actor, team, deployment)
    return {"prepositionings_created": 1}
