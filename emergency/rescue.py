"""Rescue teams (救援队伍), their readiness (勤务等级) and pre-positioned forces (前置力量).

Every change goes through one function here, which locks the row in the actor's scope, checks its rule from `RULES`,
validates, and writes the rows and their audit record in one transaction. `can()` runs the same table, so pages and
the API offer only what these functions accept. The readiness board (`readiness_board`) is the read side. See
docs/emergency-rescue.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, F, IntegerField, Model, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import record, record_many
from organizations.choices import RegionLevel, UnitKind
from organizations.models import Department, Region, User
from organizations.roles import DEPARTMENT_STAFF, is_city_office, member_of
from safety_platform.lib import bounds
from safety_platform.lib.errors import Conflict
from workdays.calendar import SHANGHAI
from workdays.models import SpecialDay

from .models import Prepositioning, ReadinessPeriod, RescueTeam, Stock
from .rescue_choices import RANK, Readiness, TeamKind

# A readiness period or a pre-positioning lasts at most this long (a holiday, a flood season's month or three).
MAX_PERIOD = timedelta(days=120)
# A holiday's raised readiness starts at this hour (Beijing) of the day before its first day and ends at 24:00 of its
# last day, as the notices about 元旦 and 国庆 set it (e.g. 2026-12-31 18:00 to 2027-01-03 24:00).
HOLIDAY_EVE_HOUR = 18
# How far ahead the calendar is searched for the next holiday.
HOLIDAY_LOOKAHEAD = timedelta(days=400)
COUNTY_LEVELS = (RegionLevel.COUNTY, RegionLevel.DISTRICT, RegionLevel.ZONE)
EDITABLE = ("name", "kind", "region", "base_address", "duty_phone", "headcount", "equipment", "active")


# --- who may do what ---------------------------------------------------------------------------------------------


def owns(actor: User, team: RescueTeam) -> bool:
    """The owning unit's staff and the city office: the department's staff for a department's team, the government
    of its region (or of a region above it) for a government's team."""
    if is_city_office(actor):
        return True
    if team.department_id is not None:
        return member_of(
            actor,
            (UnitKind.DEPARTMENT,),
            lambda u: u.department_id == team.department_id and u.holds(*DEPARTMENT_STAFF),
        )
    return member_of(actor, (UnitKind.GOVERNMENT,), lambda u: within(team.region_path, u.region))


def within(path: str, region: Region | None) -> bool:
    return region is not None and path.startswith(region.path)


def answers_for_territory(actor: User, region: Region) -> bool:
    """Raising in bulk: the city office anywhere, a territory (regional government) within its subtree."""
    return is_city_office(actor) or member_of(actor, (UnitKind.GOVERNMENT,), lambda u: within(region.path, u.region))


def _active(team: RescueTeam, now: datetime) -> str:
    return "" if team.active else _("The team is not active.")


def _period_running(period: ReadinessPeriod, now: datetime) -> str:
    if period.ended_early_at is not None:
        return _("This readiness period was ended already.")
    return "" if period.ends_at > now else _("This readiness period is over.")


def _standing(row: Prepositioning, now: datetime) -> str:
    if row.withdrawn_at is not None:
        return _("These forces were withdrawn already.")
    return "" if row.ends_at > now else _("This pre-positioning is over.")


@dataclass(frozen=True)
class Rule:
    """Who may (403 otherwise), and the state guards (each a message when it fails: 409)."""

    who: Callable[[User, RescueTeam], bool]
    when: tuple[Callable[[Model, datetime], str], ...] = ()
    on: type[Model] = RescueTeam


RULES: dict[str, Rule] = {
    "edit": Rule(owns),
    "raise": Rule(owns, (_active,)),
    "preposition": Rule(owns, (_active,)),
    "end_period": Rule(owns, (_period_running,), on=ReadinessPeriod),
    "withdraw": Rule(owns, (_standing,), on=Prepositioning),
}


def _team(obj: Model) -> RescueTeam:
    return obj if isinstance(obj, RescueTeam) else obj.team


def check(actor: User, obj: Model, action: str, now: datetime | None = None) -> None:
    """Raise PermissionDenied (403) when the actor may not, Conflict (409) when the state does not allow it."""
    rule = RULES[action]
    if not rule.who(actor, _team(obj)):
        raise PermissionDenied(_("Only the team's owning unit or the city safety office may do this."))
    now = now or timezone.now()
    for guard in rule.when:
        problem = guard(obj, now)
        if problem:
            raise Conflict(problem)


def can(actor: User, obj: Model, now: datetime | None = None) -> set[str]:
    """The actions of `RULES` the actor may take on this team, period or pre-positioning now (states first)."""
    now = now or timezone.now()
    found = set()
    for action, rule in RULES.items():
        if isinstance(obj, rule.on) and not any(guard(obj, now) for guard in rule.when) and rule.who(actor, _team(obj)):
            found.add(action)
    return found


def may_register(actor: User) -> bool:
    """The city office, a department's staff, a regional government."""
    return is_city_office(actor) or member_of(
        actor,
        (UnitKind.DEPARTMENT, UnitKind.GOVERNMENT),
        lambda u: u.department_id is None or u.holds(*DEPARTMENT_STAFF),
    )


# --- locked reads in scope -----------------------------------------------------------------------------------------


def _locked(queryset: QuerySet, pk: int) -> Model:
    row = queryset.select_for_update(of=("self",)).filter(pk=pk).first()
    if row is None:
        raise Http404
    return row


def _pk(obj: Model | int) -> int:
    return obj if isinstance(obj, int) else obj.pk


# --- teams ---------------------------------------------------------------------------------------------------------


@dataclass
class TeamData:
    name: str
    kind: str
    region: Region
    base_address: str
    duty_phone: str
    headcount: int
    department: Department | None = None
    equipment: str = ""
    active: bool = True


def _owner_for(actor: User, data: TeamData) -> Department | None:
    """Who owns a new team: a department's staff register their own department's; a government its own (no
    department); the city office names either."""
    if is_city_office(actor):
        return data.department
    if actor.unit_kind == UnitKind.DEPARTMENT:
        return actor.department
    if data.department is not None:
        raise ValidationError({"department": _("A regional government registers teams of its own only.")})
    return None


def _check_place(actor: User, team: RescueTeam) -> None:
    """The team's region within the actor's territory and within its owning department's region."""
    if not Region.objects.visible_to(actor).filter(pk=team.region_id).exists():
        raise ValidationError({"region": _("Choose a region within your scope.")})
    if team.department is not None and not within(team.region.path, team.department.region):
        raise ValidationError({"region": _("The team must be within its owning department's region.")})
    if team.department is None and not owns(actor, team):
        raise ValidationError({"region": _("Choose a region within your territory.")})


def _validate_team(actor: User, team: RescueTeam) -> None:
    team.region_path = team.region.path
    team.full_clean(validate_unique=False, validate_constraints=False)
    _check_place(actor, team)
    twins = RescueTeam.objects.filter(region=team.region, name=team.name).exclude(pk=team.pk)
    if twins.exists():
        raise ValidationError({"name": _("A team of this name is registered in this region already.")})


def register_team(actor: User, data: TeamData) -> RescueTeam:
    """Register a team; its owning unit is the actor's department, the actor's government, or (the city office)
    the department named."""
    if not may_register(actor):
        raise PermissionDenied(_("Only the city safety office, departments and regional governments register teams."))
    team = RescueTeam(
        name=data.name.strip(), kind=data.kind, region=data.region, department=_owner_for(actor, data),
        base_address=data.base_address.strip(), duty_phone=data.duty_phone.strip(), headcount=data.headcount,
        equipment=data.equipment.strip(), active=data.active,
    )  # fmt: skip
    _validate_team(actor, team)
    with transaction.atomic():
        team.save()
        record(actor, "rescue.register", team, {f: _shown(getattr(team, f)) for f in EDITABLE})
    return team


def _shown(value) -> object:
    return value.pk if isinstance(value, Model) else value


def edit_team(actor: User, team: RescueTeam | int, changes: dict) -> RescueTeam:
    """Change a team's particulars (not its owner); a change that changes nothing writes nothing."""
    with transaction.atomic():
        team = _locked(RescueTeam.objects.visible_to(actor).select_related("region", "department"), _pk(team))
        check(actor, team, "edit")
        diff = {}
        for name in EDITABLE:
            if name in changes and _shown(changes[name]) != _shown(getattr(team, name)):
                diff[name] = [_shown(getattr(team, name)), _shown(changes[name])]
                setattr(team, name, changes[name])
        if not diff:
            return team
        _validate_team(actor, team)
        team.save()
        record(actor, "rescue.edit", team, diff)
    return team


# --- readiness ----------------------------------------------------------------------------------------------------


def _check_period(starts_at: datetime | None, ends_at: datetime | None, now: datetime) -> tuple[datetime, datetime]:
    """From (default now) and until: in order, not over already, at most MAX_PERIOD, within the bounds."""
    starts_at = _aware(starts_at) if starts_at else now
    if ends_at is None:
        raise ValidationError({"ends_at": _("Say until when.")})
    ends_at = _aware(ends_at)
    earliest = timezone.make_aware(datetime.combine(bounds.earliest_day(), time.min))
    latest = timezone.make_aware(datetime.combine(bounds.latest_day() + timedelta(days=1), time.min))
    if not earliest <= starts_at < latest:
        raise ValidationError({"starts_at": _("The start is out of range.")})
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("The end must be after the start.")})
    if ends_at <= now:
        raise ValidationError({"ends_at": _("The end has passed already.")})
    if ends_at - starts_at > MAX_PERIOD:
        raise ValidationError({"ends_at": _("A period lasts at most %(days)d days.") % {"days": MAX_PERIOD.days}})
    return starts_at, ends_at


def _aware(value: datetime) -> datetime:
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def _check_level(level: str) -> None:
    if level not in (Readiness.RAISED, Readiness.HIGHEST):
        raise ValidationError({"level": _("Raise to the raised or the highest level.")})


def _check_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason, e.g. 国庆节 or a red rainstorm warning.")})
    return reason[:200]


def raise_readiness(
    actor: User, team: RescueTeam | int, level: str, starts_at: datetime | None, ends_at: datetime | None, reason: str
) -> ReadinessPeriod:
    """Raise one team's readiness for a period. Periods may overlap: the team stands at the highest of them."""
    now = timezone.now()
    with transaction.atomic():
        team = _locked(RescueTeam.objects.visible_to(actor), _pk(team))
        check(actor, team, "raise", now)
        _check_level(level)
        starts_at, ends_at = _check_period(starts_at, ends_at, now)
        period = ReadinessPeriod.objects.create(
            team=team, level=level, starts_at=starts_at, ends_at=ends_at, reason=_check_reason(reason), created_by=actor
        )
        record(actor, "rescue.raise", period, _period_changes(period))
    return period


def _period_changes(period: ReadinessPeriod) -> dict:
    return {
        "team": period.team_id, "level": period.level, "starts_at": period.starts_at.isoformat(),
        "ends_at": period.ends_at.isoformat(), "reason": period.reason,
    }  # fmt: skip


def raise_in_bulk(
    actor: User,
    region: Region,
    kinds: Iterable[str],
    level: str,
    starts_at: datetime | None,
    ends_at: datetime | None,
    reason: str,
) -> list[ReadinessPeriod]:
    """Raise every active team of these kinds (all kinds when none is given) in the region's subtree, one period
    each: the city office anywhere, a territory within its subtree. A few statements whatever the number of teams:
    the teams locked in one, the periods in one, their audit records in one."""
    now = timezone.now()
    if not answers_for_territory(actor, region):
        raise PermissionDenied(_("Only the city safety office, or a regional government for its territory, does this."))
    _check_level(level)
    starts_at, ends_at = _check_period(starts_at, ends_at, now)
    reason = _check_reason(reason)
    kinds = [k for k in kinds if k]
    if any(k not in TeamKind.values for k in kinds):
        raise ValidationError({"kinds": _("Choose kinds of team from the list.")})
    with transaction.atomic():
        teams = RescueTeam.objects.visible_to(actor).filter(region_path__startswith=region.path, active=True)
        teams = list((teams.filter(kind__in=kinds) if kinds else teams).select_for_update(of=("self",)).order_by("pk"))
        if not teams:
            raise ValidationError({"region": _("No active team of these kinds in this region.")})
        periods = ReadinessPeriod.objects.bulk_create(
            ReadinessPeriod(team=t, level=level, starts_at=starts_at, ends_at=ends_at, reason=reason, created_by=actor)
            for t in teams
        )
        record_many(actor, "rescue.raise", periods, _period_changes, reason=f"{region.name} {reason}")
    return periods


@dataclass(frozen=True)
class Holiday:
    """The next holiday of the working-day calendar and the raised period it calls for."""

    name: str
    first_day: date
    last_day: date

    @property
    def starts_at(self) -> datetime:
        return datetime.combine(self.first_day - timedelta(days=1), time(HOLIDAY_EVE_HOUR), tzinfo=SHANGHAI)

    @property
    def ends_at(self) -> datetime:
        return datetime.combine(self.last_day + timedelta(days=1), time.min, tzinfo=SHANGHAI)


def next_holiday(now: datetime | None = None) -> Holiday | None:
    """The holiday (a run of consecutive official holidays in workdays' calendar) running now or next, or None when
    the calendar has none ahead. One query."""
    today = timezone.localtime(now or timezone.now(), SHANGHAI).date()
    days = SpecialDay.objects.filter(
        is_working_day=False, date__gte=today - MAX_PERIOD, date__lte=today + HOLIDAY_LOOKAHEAD
    ).order_by("date")
    runs: list[Holiday] = []
    for day in days:
        last = runs[-1] if runs else None
        if last and day.date == last.last_day + timedelta(days=1):
            name = last.name if day.name in last.name.split("、") else f"{last.name}、{day.name}"
            runs[-1] = Holiday(name, last.first_day, day.date)
        else:
            runs.append(Holiday(day.name, day.date, day.date))
    return next((run for run in runs if run.last_day >= today), None)


def raise_for_next_holiday(
    actor: User, region: Region, kinds: Iterable[str] = (), level: str = Readiness.RAISED
) -> list[ReadinessPeriod]:
    """Raise the region's teams for the next holiday of the calendar: from 18:00 of its eve to 24:00 of its last
    day, the holiday's name as the reason."""
    holiday = next_holiday()
    if holiday is None:
        raise Conflict(_("The working-day calendar has no holiday ahead: enter the year's holidays first."))
    return raise_in_bulk(actor, region, kinds, level, holiday.starts_at, holiday.ends_at, holiday.name)


def end_period(actor: User, period: ReadinessPeriod | int) -> ReadinessPeriod:
    """End a readiness period early, now (one not started yet is withdrawn: it then covers no time)."""
    return _cut_short(actor, ReadinessPeriod, period, "end_period", "ended_early")


def _cut_short(actor: User, model, row, action: str, mark: str):
    """End a period-like row (a readiness period, a pre-positioning) now, or withdraw it if it has not started:
    locked in scope, its rule checked, `<mark>_at` and `<mark>_by` set, audited."""
    now = timezone.now()
    with transaction.atomic():
        row = _locked(model.objects.visible_to(actor).select_related("team"), _pk(row))
        check(actor, row, action, now)
        before = row.ends_at
        row.ends_at = max(now, row.starts_at)
        setattr(row, f"{mark}_at", now)
        setattr(row, f"{mark}_by", actor)
        row.save(update_fields=["ends_at", f"{mark}_at", f"{mark}_by"])
        record(actor, f"rescue.{action}", row, {"ends_at": [before.isoformat(), row.ends_at.isoformat()]})
    return row


# --- pre-positioned forces ----------------------------------------------------------------------------------------


@dataclass
class Deployment:
    place: str
    region: Region
    headcount: int
    ends_at: datetime
    reason: str
    starts_at: datetime | None = None
    address: str = ""
    equipment: str = ""


def preposition(actor: User, team: RescueTeam | int, data: Deployment) -> Prepositioning:
    """Station forces of a team at an important place for a period. The team's row is locked, so two requests for
    the same team are serialised and the second sees the first: periods of one team never overlap (409)."""
    now = timezone.now()
    with transaction.atomic():
        team = _locked(RescueTeam.objects.visible_to(actor), _pk(team))
        check(actor, team, "preposition", now)
        starts_at, ends_at = _check_period(data.starts_at, data.ends_at, now)
        _check_deployment(actor, team, data)
        clash = (
            Prepositioning.objects.filter(team=team, starts_at__lt=ends_at, ends_at__gt=starts_at)
            .exclude(ends_at=F("starts_at")).order_by("starts_at").first()
        )  # fmt: skip
        if clash is not None:
            raise Conflict(
                _(
                    "%(team)s stands at %(place)s from %(start)s until %(end)s already: "
                    "withdraw it or choose another time."
                )
                % {
                    "team": team.name,
                    "place": clash.place,
                    "start": _local(clash.starts_at),
                    "end": _local(clash.ends_at),
                }
            )
        row = Prepositioning.objects.create(
            team=team, place=data.place.strip(), region=data.region, address=data.address.strip(),
            headcount=data.headcount, equipment=data.equipment.strip(), starts_at=starts_at, ends_at=ends_at,
            reason=_check_reason(data.reason), created_by=actor,
        )  # fmt: skip
        record(actor, "rescue.preposition", row, {
            "team": team.pk, "place": row.place, "region": row.region_id, "headcount": row.headcount,
            "starts_at": starts_at.isoformat(), "ends_at": ends_at.isoformat(), "reason": row.reason,
        })  # fmt: skip
    return row


def _check_deployment(actor: User, team: RescueTeam, data: Deployment) -> None:
    if not (data.place or "").strip():
        raise ValidationError({"place": _("Name the important place.")})
    if not 1 <= data.headcount <= team.headcount:
        raise ValidationError({"headcount": _("Between 1 and the team's headcount (%(n)d).") % {"n": team.headcount}})
    if data.region is None or not Region.objects.visible_to(actor).filter(pk=data.region.pk).exists():
        raise ValidationError({"region": _("Choose a region within your scope.")})


def _local(moment: datetime) -> str:
    return f"{timezone.localtime(moment, SHANGHAI):%Y-%m-%d %H:%M}"


def withdraw(actor: User, row: Prepositioning | int) -> Prepositioning:
    """Withdraw pre-positioned forces now (ones not arrived yet are called off: the row then covers no time)."""
    return _cut_short(actor, Prepositioning, row, "withdraw", "withdrawn")


# --- the current level ---------------------------------------------------------------------------------------------


def current_levels(teams: QuerySet | list, now: datetime) -> dict[int, ReadinessPeriod]:
    """Per team id, the period that sets its level now: the highest covering now (the one ending last among equals).
    Teams missing from the answer stand at normal. One query."""
    found: dict[int, ReadinessPeriod] = {}
    periods = ReadinessPeriod.objects.filter(team__in=teams, starts_at__lte=now, ends_at__gt=now).order_by()
    for period in periods:
        best = found.get(period.team_id)
        if best is None or (RANK[period.level], period.ends_at) > (RANK[best.level], best.ends_at):
            found[period.team_id] = period
    return found


def with_level(teams: QuerySet, now: datetime | None = None) -> QuerySet:
    """The teams annotated with `current_level`: the highest of the periods covering now, else normal (a subquery,
    so a list of any length costs no more queries)."""
    covering = ReadinessPeriod.objects.filter(team=OuterRef("pk"), starts_at__lte=now or timezone.now(),
                                              ends_at__gt=now or timezone.now())  # fmt: skip
    ranked = covering.annotate(
        rank=Case(When(level=Readiness.HIGHEST, then=Value(2)), default=Value(1), output_field=IntegerField())
    )
    top = ranked.order_by("-rank").values("level")[:1]
    return teams.annotate(current_level=Coalesce(Subquery(top), Value(Readiness.NORMAL.value)))


def level_of(team: RescueTeam, now: datetime | None = None) -> str:
    period = current_levels([team.pk], now or timezone.now()).get(team.pk)
    return period.level if period else Readiness.NORMAL


# --- the readiness board -------------------------------------------------------------------------------------------


@dataclass
class BoardTeam:
    team: RescueTeam
    level: str
    period: ReadinessPeriod | None
    forces: list[Prepositioning] = field(default_factory=list)

    @property
    def level_label(self) -> str:
        return str(Readiness(self.level).label)


@dataclass
class BoardRow:
    """One county-level region (or the city's own teams): its teams, their levels and where their forces stand."""

    region: Region
    teams: list[BoardTeam] = field(default_factory=list)

    @property
    def headcount(self) -> int:
        return sum(t.team.headcount for t in self.teams)

    @property
    def forces(self) -> list[Prepositioning]:
        return [f for t in self.teams for f in t.forces]

    @property
    def out_headcount(self) -> int:
        return sum(f.headcount for f in self.forces)

    def count(self, level: str) -> int:
        return sum(t.level == level for t in self.teams)

    @property
    def raised(self) -> int:
        return self.count(Readiness.RAISED)

    @property
    def highest(self) -> int:
        return self.count(Readiness.HIGHEST)


@dataclass
class Board:
    now: datetime
    rows: list[BoardRow]
    low_supplies: list

    @property
    def teams(self) -> int:
        return sum(len(r.teams) for r in self.rows)

    @property
    def headcount(self) -> int:
        return sum(r.headcount for r in self.rows)


LOW_SUPPLIES_SHOWN = 50  # the board lists at most this many stock rows below minimum, the lowest share first


def low_supplies(user: User, region: Region | None) -> list[dict]:
    """Supplies below their minimum stock in the user's scope (and the region's subtree, when one is given), for the
    board's supplies panel: one query, the rows furthest below their minimum first."""
    stock = Stock.objects.visible_to(user).below_minimum().filter(warehouse__active=True)
    if region is not None:
        stock = stock.filter(warehouse__region_path__startswith=region.path)
    rows = stock.select_related("warehouse", "item").order_by(
        F("quantity") / F("minimum"), "warehouse__region_path", "pk"
    )[:LOW_SUPPLIES_SHOWN]
    return [
        {
            "warehouse_id": row.warehouse_id,
            "warehouse": row.warehouse.name,
            "item": str(row.item),
            "unit": row.item.unit,
            "quantity": f"{row.quantity.normalize():f}",
            "minimum": f"{row.minimum.normalize():f}",
        }
        for row in rows
    ]


def county_key(path: str) -> str:
    """The code of the county-level region a path lies in, or the city's for the city's own rows."""
    codes = [code for code in path.split("/") if code]
    return codes[1] if len(codes) > 1 else codes[0]


def readiness_board(
    user: User, kinds: Iterable[str] = (), region: Region | None = None, now: datetime | None = None
) -> Board:
    """The board by region: a row per county-level region in scope (the city's row first, for the city's own
    teams), each with its active teams, their level now and the forces they have standing now, and the supplies below
    minimum. Five queries whatever the number of teams: regions, teams, periods covering now, pre-positionings
    covering now, stock below minimum."""
    now = now or timezone.now()
    teams = RescueTeam.objects.visible_to(user).filter(active=True)
    kinds = [k for k in kinds if k]
    if kinds:
        teams = teams.filter(kind__in=kinds)
    regions = Region.objects.visible_to(user).filter(level__in=(RegionLevel.CITY, *COUNTY_LEVELS))
    if region is not None:
        teams = teams.filter(region_path__startswith=region.path)
        regions = regions.filter(path__startswith=region.path)
    rows = {r.code: BoardRow(r) for r in regions.order_by("path")}
    levels = current_levels(teams, now)
    forces: dict[int, list[Prepositioning]] = {}
    standing = Prepositioning.objects.filter(team__in=teams, starts_at__lte=now, ends_at__gt=now)
    for row in standing.select_related("region").order_by("starts_at"):
        forces.setdefault(row.team_id, []).append(row)
    for team in teams.select_related("region", "department").order_by("region_path", "kind", "name", "pk"):
        period = levels.get(team.pk)
        entry = BoardTeam(team, period.level if period else Readiness.NORMAL, period, forces.get(team.pk, []))
        row = rows.get(county_key(team.region_path))
        if row is not None:
            row.teams.append(entry)
    shown = [r for r in rows.values() if r.teams or r.region.level != RegionLevel.CITY or is_city_office(user)]
    return Board(now, shown, low_supplies(user, region))
