"""The demo city as of today (`manage.py seed_demo`): the apps' demo content (`organizations.demo`,
`hazards.demo`, `inspections.demo`, `duty_roster.demo`) plus what makes it tell the truth on the day it is
loaded:

- every post an escalation chain names is held by a person: each department head (the districts' too), each
  territorial leader (the city's 副市长 too), the principal of every enterprise with a demo hazard, and the
  major hazards are listed (挂牌督办) under the city leader, so each step of docs/escalation.md reaches a person;
- the duty posts of 海滨区 and of the city office are staffed for the next 30 days at the unit kind's minimum,
  and 海滨区 has submitted its duty plan for the next official holiday (workdays calendar);
- the hazards' deadlines fall around today, each at the end of a working day (`hazards.demo`);
- a rainstorm warning raised from yellow to orange about two hours ago, some posts answered (`early_warnings.demo`).

Idempotent: everything is keyed by a natural key, so a second run on the same day changes no count. A run on a
later day tops the rota up to 30 days ahead and moves the campaign to run now; nothing else moves.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from accidents.demo import load_demo_accidents
from accidents.demo_circulars import load_demo_circulars
from accidents.demo_lessons import load_demo_lessons
from duty_roster import rota
from duty_roster.demo import load_demo_rota
from duty_roster.models import CheckInPoint, DutyPlan, DutyShift
from duty_roster.plans import Period, holiday_periods, minimum_officers
from early_warnings.demo import load_demo_warning
from emergency.demo_rescue import load_rescue
from emergency.demo_supplies import load_supplies
from hazards import workflow
from hazards.choices import OPEN_STATUSES, Authority, Level
from hazards.demo import demo_enterprises, load_demo_hazards
from hazards.models import Hazard, ListedSupervision
from inspections.demo import load_demo_campaign, load_demo_inspection
from organizations.choices import PositionKind, UnitKind
from organizations.demo import CITY, DEMO_PASSWORD, load_demo, person_name
from organizations.models import Position, PositionAssignment, Region, User
from oversight.demo import load_demo_oversight
from risks.demo_checks import load_demo_checks
from risks.demo_points import load_risk_points
from risks.demo_themes import load_demo_themes
from tipoffs.demo import load_demo_tipoffs
from workdays.models import CalendarYear, SpecialDay

HOLDER_SEED = 20240602
ROTA_DAYS = 30
# Extra people at the two duty posts: (username, name) of the unit's leaders on duty and duty officers.
HAIBIN_LEADERS = [("demo-haibin-leader", "孙国栋")]
HAIBIN_OFFICERS = [("demo-haibin-duty-2", "周敏"), ("demo-haibin-duty-3", "吴涛"), ("demo-haibin-duty-4", "郑丽娟")]
CITY_LEADERS = [("demo-city-leader", "何建军")]
CITY_OFFICERS = [
    (f"demo-city-duty-{n}", name) for n, name in enumerate(["林海燕", "马超", "高文博", "许春梅", "韩磊"], 1)
]


def load_demo_city() -> dict[str, int]:
    """Everything `seed_demo` loads, in order; returns counts (`kind`, `kind_created`) for its summary."""
    counts = load_demo()
    password = make_password(DEMO_PASSWORD)  # hashed once: dozens of holders share it
    with transaction.atomic():
        before = User.objects.count()
        hold_chain_posts(password)
        staff_duty_posts(password)
        counts.update(people=User.objects.count(), people_created=User.objects.count() - before)
    period = next_holiday()  # first: it may enter next year's 元旦, which deadlines must then skip
    counts.update(load_demo_hazards())
    counts.update(list_major_hazards())
    counts.update(load_demo_campaign(period.name if period else ""))
    counts.update(load_demo_rota(extra_leaders=usernames(HAIBIN_LEADERS), extra_officers=usernames(HAIBIN_OFFICERS)))
    counts.update(load_city_rota())
    counts.update(submit_holiday_plan(period))
    counts.update(locate_duty_posts())
    counts.update(load_rescue())
    counts.update(load_supplies())
    counts.update(load_demo_warning())
    # accidents (#18): two records from incidents, one elsewhere; before the risk points, which are evaluated after
    # the accident (its re-evaluation hook would otherwise mark the demo enterprise's points, all for "accident")
    counts.update(load_demo_accidents())
    counts.update(load_risk_points())  # risks: points of every colour at the demo city's enterprises
    counts.update(load_demo_themes())  # risks: 元旦假期风险 and 冬季防火防冻风险, half confirmed
    counts.update(load_demo_checks())  # risks: the enterprise's checks (after the points' and themes' demo)
    counts.update(load_demo_lessons())  # accidents: a running lesson from the accident elsewhere
    counts.update(load_demo_circulars())  # accidents: the running lesson's warning circular, some acknowledged
    counts.update(load_demo_oversight())  # oversight (#19): every signal, watches, verifications, enforcement
    counts.update(load_demo_tipoffs())  # tip-offs (#20): reports in every state, rewards
    counts.update(load_demo_inspection())  # offline capture (#21): an inspection under way today for demo-inspector
    return counts


def usernames(people: list[tuple[str, str]]) -> list[str]:
    return [username for username, _name in people]


# --- people in every post ------------------------------------------------------------------------------------


def person(username: str, full_name: str, password: str, **unit) -> User:
    """A demo person, keyed by username; the unit and the password are reset on every run, as for the six users."""
    defaults = {"region": None, "department": None, "enterprise": None, "is_staff": False, "is_active": True}
    defaults.update(unit, full_name=full_name, password=password)
    user, _ = User.objects.update_or_create(username=username, defaults=defaults)
    return user


def hold(post: Position, user: User) -> None:
    if not PositionAssignment.objects.current().filter(position=post, user=user).exists():
        PositionAssignment.objects.create(position=post, user=user)


def vacant(kind: str):
    held = PositionAssignment.objects.current().filter(user__is_active=True).values("position_id")
    return Position.objects.filter(kind=kind).exclude(pk__in=held).order_by("id")


def hold_chain_posts(password: str) -> None:
    """A holder for each vacant department head and territorial leader, and a principal (position and holder)
    for each enterprise that has a demo hazard."""
    rng = random.Random(HOLDER_SEED)
    for post in vacant(PositionKind.DEPARTMENT_HEAD).select_related("department"):
        user = person(f"demo-head-{post.department.code}", person_name(rng), password,
                      unit_kind=UnitKind.DEPARTMENT, department=post.department)  # fmt: skip
        hold(post, user)
    for post in vacant(PositionKind.TERRITORIAL_LEADER).select_related("region"):
        user = person(f"demo-leader-{post.region.code}", person_name(rng), password,
                      unit_kind=UnitKind.GOVERNMENT, region=post.region)  # fmt: skip
        hold(post, user)
    for enterprise in demo_enterprises():
        post, _ = Position.objects.get_or_create(
            kind=PositionKind.ENTERPRISE_PRINCIPAL, unit_kind=UnitKind.ENTERPRISE, enterprise=enterprise,
            title=enterprise.name + "主要负责人",
        )  # fmt: skip
        if not PositionAssignment.objects.current().filter(position=post).exists():
            user = person(f"demo-principal-{enterprise.credit_code}", enterprise.principal_name, password,
                          unit_kind=UnitKind.ENTERPRISE, enterprise=enterprise)  # fmt: skip
            hold(post, user)


def staff_duty_posts(password: str) -> None:
    """Enough people in 海滨区's government and in the city office for a full shift every day."""
    haibin = Region.objects.get(code="990102")
    city = Region.objects.get(code=CITY[0])
    for username, name in HAIBIN_LEADERS + HAIBIN_OFFICERS:
        person(username, name, password, unit_kind=UnitKind.GOVERNMENT, region=haibin)
    for username, name in CITY_LEADERS + CITY_OFFICERS:
        person(username, name, password, unit_kind=UnitKind.CITY_OFFICE, region=city)
    post = city_duty_post()
    for username, _name in CITY_OFFICERS:
        hold(post, User.objects.get(username=username))


def city_duty_post() -> Position:
    return Position.objects.get(kind=PositionKind.DUTY_OFFICER, unit_kind=UnitKind.CITY_OFFICE, region__code=CITY[0])


# --- listed supervision ----------------------------------------------------------------------------------------


def list_major_hazards() -> dict[str, int]:
    """Every open major demo hazard with a deadline is listed by the city under the city's leader (so the major
    chain's `listing_leader` is a person). A listing's deadline is its hazard's; its order is published with it."""
    actor = User.objects.get(username="demo-city")
    leader = Position.objects.get(kind=PositionKind.TERRITORIAL_LEADER, region__code=CITY[0])
    listed = 0
    doomed = Hazard.objects.filter(
        level=Level.MAJOR, status__in=OPEN_STATUSES, deadline__gt=timezone.now(), listing__isnull=True,
        code__startswith="YH-", created_by__username__startswith="demo-",
    ).select_related("enterprise").order_by("id")  # fmt: skip
    for number, hazard in enumerate(doomed, start=1):
        order = f"滨安委督〔{timezone.localdate().year}〕{hazard.pk}号"
        notice = f"{hazard.enterprise.name}{hazard.title}：挂牌督办，限期整改。"  # the order published with the listing
        listing = workflow.Listing(Authority.GOVERNMENT, leader, order, hazard.deadline, notice)
        workflow.list_supervision(actor, hazard, listing)
        listed = number
    return {"listings": ListedSupervision.objects.filter(delisted_at__isnull=True).count(), "listings_created": listed}


# --- duty: the next 30 days, the next holiday ------------------------------------------------------------------


def load_city_rota() -> dict[str, int]:
    """The city office's duty post, staffed at its minimum for the next 30 days (missing days only)."""
    post = city_duty_post()
    today = timezone.localdate()
    end = today + timedelta(days=ROTA_DAYS - 1)
    before = DutyShift.objects.count()
    if DutyShift.objects.filter(post=post, date__range=(today, end)).count() < ROTA_DAYS:
        leaders = [User.objects.get(username="demo-city"), *User.objects.filter(username__in=usernames(CITY_LEADERS))]
        officers = list(User.objects.filter(username__in=usernames(CITY_OFFICERS)).order_by("username"))
        rota.generate(leaders[0], post, today, end, leaders, officers, per_day=minimum_officers(post))
    return {
        "city_shifts": DutyShift.objects.filter(post=post).count(),
        "city_shifts_created": DutyShift.objects.count() - before,
    }


# Where the demo's two duty posts stand (fictional 滨海市; WGS 84), for check-in by the phone's location.
DUTY_POST_PLACES = {
    "990102": (Decimal("36.066900"), Decimal("120.382600")),
    CITY[0]: (Decimal("36.067100"), Decimal("120.389800")),
}


def locate_duty_posts() -> dict[str, int]:
    """The two duty posts get coordinates (the default radius) unless a planner has set them already."""
    actor, located = User.objects.get(username="demo-city"), 0
    for code, (latitude, longitude) in DUTY_POST_PLACES.items():
        kind = UnitKind.CITY_OFFICE if code == CITY[0] else UnitKind.GOVERNMENT
        post = Position.objects.filter(kind=PositionKind.DUTY_OFFICER, region__code=code, unit_kind=kind).first()
        if post is not None and not CheckInPoint.objects.filter(post=post, latitude__isnull=False).exists():
            rota.set_check_in_point(actor, post, latitude, longitude, None)
            located += 1
    points = CheckInPoint.objects.filter(latitude__isnull=False).count()
    return {"check_in_points": points, "check_in_points_created": located}


def next_holiday(today: date | None = None) -> Period | None:
    """The next official holiday period that has not begun, from the workdays calendar. When the calendar has
    none ahead (next year not entered yet), New Year's Day (元旦, 1 January: a holiday by law every year) is
    entered for next year, its year left marked incomplete, so the admin still asks for the rest."""
    today = today or timezone.localdate()
    ahead = [p for p in holiday_periods(today.year, today.year + 1) if p.start > today]
    if ahead:
        return ahead[0]
    new_year = date(today.year + 1, 1, 1)
    SpecialDay.objects.get_or_create(date=new_year, defaults={"is_working_day": False, "name": "元旦"})
    CalendarYear.objects.get_or_create(year=new_year.year, defaults={"complete": False, "note": "seed_demo: 元旦"})
    ahead = [p for p in holiday_periods(today.year, today.year + 1) if p.start > today]
    return ahead[0] if ahead else None


def submit_holiday_plan(period: Period | None) -> dict[str, int]:
    """海滨区's plan for the period: its shifts generated at the minimum (if missing), then submitted."""
    before = DutyPlan.objects.count()
    officer = User.objects.filter(username="demo-duty").first()
    post = Position.objects.filter(kind=PositionKind.DUTY_OFFICER, assignments__user=officer).first()
    if (
        period is None
        or post is None
        or DutyPlan.objects.filter(post=post, start=period.start, end=period.end).exists()
    ):
        return {"duty_plans": DutyPlan.objects.count(), "duty_plans_created": 0}
    leader = User.objects.get(username="demo-district")
    if DutyShift.objects.filter(post=post, date__range=(period.start, period.end)).count() < period.days:
        leaders = [leader, *User.objects.filter(username__in=usernames(HAIBIN_LEADERS))]
        officers = [officer, *User.objects.filter(username__in=usernames(HAIBIN_OFFICERS)).order_by("username")]
        rota.generate(leader, post, period.start, period.end, leaders, officers, per_day=minimum_officers(post))
    rota.submit_plan(leader, post, period.name, period.start, period.end)
    return {"duty_plans": DutyPlan.objects.count(), "duty_plans_created": DutyPlan.objects.count() - before}
