"""Risk themes for a period (风险主题: 基础性、市场波动、季节性、节假日、本单位本行业的特殊风险) and each enterprise's
confirmation. See docs/risks.md, "Risk themes".

Every change goes through one function here, which locks the row in the actor's scope (404), checks its rule from
`RULES` (403, then 409), validates (400), and writes the rows, the notices (through one `Outbox`) and the audit
record in one transaction; `can()` runs the same table, so pages and the API offer exactly what these accept.

- The city office's staff, a regional government (its territorial leader or duty officer) or a department (its
  head or staff) creates a theme as a draft, edits it, publishes it, withdraws it. A government's theme covers a
  region of its subtree; a department's only the industries it supervises, within its region.
- Publishing writes one `ThemeConfirmation` per operating enterprise of the theme's region subtree and industries
  (none chosen: every industry) in one INSERT … SELECT, and sends each enterprise's principal post (its safety
  manager's where the principal's is vacant) a must-answer notice due at `confirm_by`: a handful of statements
  whatever the number of enterprises.
- The enterprise's own staff confirm (note optional); the notice is answered with it. Unanswered past `confirm_by`,
  the notifications pass-up sends it on to the superior post (worded by `wording`, the confirmation marked
  `escalated_at` by `mark_passed_up`).
- `holiday_theme_on(day)` answers which published holiday themes cover a day, and where (the checks use it).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Count, Model, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from audit.models import record
from notifications.models import TITLE_LENGTH, Notification
from notifications.outbox import Outbox, acknowledge
from organizations.choices import OperatingState, PositionKind, UnitKind
from organizations.models import Enterprise, Industry, PositionAssignment, Region, User
from organizations.roles import (
    is_city_office_staff,
    is_enterprise_staff_of,
    may_publish,
    publishes_for,
)
from organizations.scope import Reference, Scope, ScopeKind
from safety_platform.lib import bounds, rules
from safety_platform.lib.errors import Conflict
from safety_platform.lib.text import one_line
from workdays.calendar import SHANGHAI

from .choices import ThemeKind, ThemeStatus
from .models import RiskTheme, ThemeConfirmation

KIND = "theme"  # the notices' kind (their keys: theme:<theme>:<enterprise>:<person>)
MAX_DAYS = 366  # a theme's period lasts at most a year (a season, a holiday, a market's swing)
TEXT_LENGTH = 5000
NOTE_LENGTH = 500
EDITABLE = ("kind", "title", "description", "required_controls", "starts_on", "ends_on", "confirm_by", "region",
            "industries")  # fmt: skip

# --- who may do what (403), in which state (409) --------------------------------------------------------------------


def may_create(actor: User) -> bool:
    """The city office's staff; a regional government's territorial leader or duty officer; a department's head or
    staff (`organizations.roles.may_publish`)."""
    return may_publish(actor)


def owns(actor: User, theme: RiskTheme) -> bool:
    """The unit that made the theme (its department; the government of its maker's region), and the city office's
    staff for every theme."""
    return publishes_for(actor, theme.department_id, theme.created_by)


def _require_owner(actor: User, theme: RiskTheme) -> None:
    if not owns(actor, theme):
        raise PermissionDenied(_("Only the unit that made this risk theme, or the city safety office, can change it."))


def _require_enterprise_staff(actor: User, confirmation: ThemeConfirmation) -> None:
    if actor.is_superuser or not is_enterprise_staff_of(actor, confirmation.enterprise_id):
        raise PermissionDenied(_("Only the enterprise's principal person or safety manager confirms a risk theme."))


def _draft(theme: RiskTheme) -> None:
    if theme.status != ThemeStatus.DRAFT:
        raise Conflict(_("This risk theme is %(status)s; only a draft can be changed or published.")
                       % {"status": theme.get_status_display()})  # fmt: skip


def _published(theme: RiskTheme) -> None:
    if theme.status != ThemeStatus.PUBLISHED:
        raise Conflict(_("This risk theme is %(status)s; only a published one can be withdrawn or confirmed.")
                       % {"status": theme.get_status_display()})  # fmt: skip


def _theme_published(confirmation: ThemeConfirmation) -> None:
    _published(confirmation.theme)


def _not_confirmed(confirmation: ThemeConfirmation) -> None:
    if confirmation.confirmed_at is not None:
        raise Conflict(_("Confirmed already, at %(time)s.") % {"time": _local(confirmation.confirmed_at)})


RULES: dict[str, rules.Rule] = {
    "edit": rules.Rule(_require_owner, (_draft,), on=RiskTheme),
    "publish": rules.Rule(_require_owner, (_draft,), on=RiskTheme),
    "withdraw": rules.Rule(_require_owner, (_published,), on=RiskTheme),
    "confirm": rules.Rule(_require_enterprise_staff, (_theme_published, _not_confirmed), on=ThemeConfirmation),
}


def check(actor: User, obj: Model, action: str) -> None:
    """The role (403), then the state (409)."""
    rules.check(RULES, actor, obj, action)


def can(actor: User, obj: Model) -> set[str]:
    """The actions of `RULES` the actor may take on it now (states first: no query for those refused by their
    state)."""
    if Scope.for_user(actor).kind == ScopeKind.NONE:
        return set()
    return rules.allowed(RULES, actor, obj)


# --- what a user sees -----------------------------------------------------------------------------------------------


def visible_themes(actor: User) -> QuerySet:
    """The themes in scope (a government's region and those above it; an enterprise its region's), drafts only to
    the unit that makes them."""
    themes = RiskTheme.objects.visible_to(actor)
    if is_city_office_staff(actor):
        return themes
    mine = Q(pk__in=[])
    if actor.unit_kind == UnitKind.DEPARTMENT and actor.department_id:
        mine = Q(department_id=actor.department_id)
    elif actor.unit_kind == UnitKind.GOVERNMENT and actor.region_id:
        mine = Q(department__isnull=True, created_by__unit_kind=UnitKind.GOVERNMENT,
                 created_by__region_id=actor.region_id)  # fmt: skip
    return themes.filter(~Q(status=ThemeStatus.DRAFT) | mine)


def _locked_theme(actor: User, theme: RiskTheme | int) -> RiskTheme:
    pk = theme if isinstance(theme, int) else theme.pk
    found = visible_themes(actor).select_for_update(of=("self",)).select_related("created_by", "region").filter(pk=pk)
    row = found.first()
    if row is None:
        raise Http404
    return row


# --- validation (400) -----------------------------------------------------------------------------------------------


def _local(moment: datetime) -> str:
    return f"{timezone.localtime(moment, SHANGHAI):%Y-%m-%d %H:%M}"


def _end_of(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=SHANGHAI)


def _text(values: dict, errors: dict, name: str, limit: int, required: bool) -> None:
    values[name] = (values.get(name) or "").strip()
    if required and not values[name]:
        errors[name] = _("This field is required.")
    elif len(values[name]) > limit:
        errors[name] = _("At most %(limit)d characters.") % {"limit": limit}


def _check_period(values: dict, errors: dict) -> None:
    starts_on, ends_on = values.get("starts_on"), values.get("ends_on")
    for name in ("starts_on", "ends_on"):
        if values.get(name) is None:
            errors[name] = _("This field is required.")
    errors.update(bounds.day_errors(starts_on=(starts_on, _("The first day")), ends_on=(ends_on, _("The last day"))))
    if errors.get("starts_on") or errors.get("ends_on"):
        return
    if ends_on < starts_on:
        errors["ends_on"] = _("The last day cannot be before the first.")
    elif (ends_on - starts_on).days >= MAX_DAYS:
        errors["ends_on"] = _("A risk theme lasts at most %(days)d days.") % {"days": MAX_DAYS}
    elif ends_on < timezone.localdate():
        errors["ends_on"] = _("The period is over already.")


def _check_confirm_by(values: dict, errors: dict) -> None:
    confirm_by = values.get("confirm_by")
    try:
        values["confirm_by"] = bounds.check_deadline(confirm_by, "confirm_by")
    except ValidationError as exc:
        errors["confirm_by"] = exc.message_dict["confirm_by"][0]
        return
    ends_on = values.get("ends_on")
    if ends_on is not None and not errors.get("ends_on") and values["confirm_by"] > _end_of(ends_on):
        errors["confirm_by"] = _("Ask for the confirmation by the period's last day (%(day)s) at the latest.") % {
            "day": ends_on.isoformat()
        }


def _check_region(actor: User, values: dict, errors: dict, department) -> None:
    """The region within the actor's territory: a government's subtree, a department's region; the city anywhere."""
    region = values.get("region")
    if not isinstance(region, Region):
        errors["region"] = _("Choose a region.")
        return
    if is_city_office_staff(actor):
        return
    home = department.region if department is not None else actor.region
    if home is None or not region.path.startswith(home.path):
        errors["region"] = _("Choose a region within your territory.")


def _check_industries(values: dict, errors: dict, department, reference: Reference) -> None:
    """Industries (a sector covers its industries); a department's only among those it supervises."""
    chosen = list(dict.fromkeys(values.get("industries") or ()))
    if any(not isinstance(i, Industry) for i in chosen):
        errors["industries"] = _("Choose industries from the list.")
        return
    values["industries"] = chosen
    if department is None:
        return
    supervised = reference.supervised_by(department)
    outside = [i.name for i in chosen if i.pk not in supervised]
    if outside:
        errors["industries"] = _("Your department does not supervise: %(names)s.") % {"names": "、".join(outside)}


def _department_of(actor: User):
    """The department a theme belongs to: the maker's, when the maker is a department's (never the city office)."""
    if actor.unit_kind == UnitKind.DEPARTMENT and not is_city_office_staff(actor):
        return actor.department
    return None


def _validate(actor: User, values: dict, department) -> dict:
    """The fields of a theme, cleaned, or a ValidationError naming each bad one."""
    clean, errors = dict(values), {}
    if clean.get("kind") not in ThemeKind.values:
        errors["kind"] = _("Choose one of the five kinds of risk.")
    _text(clean, errors, "title", 120, required=True)
    _text(clean, errors, "required_controls", TEXT_LENGTH, required=True)
    _text(clean, errors, "description", TEXT_LENGTH, required=False)
    _check_period(clean, errors)
    _check_confirm_by(clean, errors)
    _check_region(actor, clean, errors, department)
    _check_industries(clean, errors, department, Scope.for_user(actor).reference)
    if errors:
        raise ValidationError(errors)
    return clean


def _shown(value) -> object:
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, list | tuple):
        return sorted(_shown(v) for v in value)
    if isinstance(value, datetime):
        return timezone.localtime(value, SHANGHAI).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


# --- create, edit, publish, withdraw ---------------------------------------------------------------------------------


def create(actor: User, *, kind: str, title: str, required_controls: str, starts_on: date | None,
           ends_on: date | None, confirm_by: datetime | None, region: Region | None = None,
           industries: Iterable[Industry] = (), description: str = "") -> RiskTheme:  # fmt: skip
    """A draft theme of the actor's unit; its region defaults to the unit's (the city for the city office)."""
    if not may_create(actor):
        raise PermissionDenied(_("Only the city safety office, a regional government or a department publishes "
                                 "risk themes."))  # fmt: skip
    department = _department_of(actor)
    if region is None:
        region = department.region if department is not None else actor.region
    clean = _validate(actor, dict(kind=kind, title=title, required_controls=required_controls, starts_on=starts_on,
                                  ends_on=ends_on, confirm_by=confirm_by, region=region, industries=list(industries),
                                  description=description), department)  # fmt: skip
    chosen = clean.pop("industries")
    with transaction.atomic():
        theme = RiskTheme.objects.create(**clean, region_path=clean["region"].path, department=department,
                                         created_by=actor)  # fmt: skip
        theme.industries.set(chosen)
        record(actor, "risk_theme.create", theme, {name: _shown(value) for name, value in
                                                   {**clean, "industries": chosen}.items()})  # fmt: skip
    return theme


def edit(actor: User, theme: RiskTheme | int, changes: dict) -> RiskTheme:
    """Change a draft; only the fields given change, and a change that changes nothing writes nothing."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationError({name: _("This cannot be changed.") for name in sorted(unknown)})
    with transaction.atomic():
        theme = _locked_theme(actor, theme)
        check(actor, theme, "edit")
        before = {name: getattr(theme, name) for name in EDITABLE if name != "industries"}
        before["industries"] = list(theme.industries.order_by("pk"))
        department = theme.department
        clean = _validate(actor, {**before, **changes}, department)
        diff = {name: [_shown(before[name]), _shown(clean[name])] for name in EDITABLE
                if _shown(before[name]) != _shown(clean[name])}  # fmt: skip
        if not diff:
            return theme
        for name in EDITABLE:
            if name != "industries":
                setattr(theme, name, clean[name])
        theme.region_path = theme.region.path
        theme.save()
        theme.industries.set(clean["industries"])
        record(actor, "risk_theme.edit", theme, diff)
    return theme


def covered_industries(theme: RiskTheme, reference: Reference) -> set[int] | None:
    """The industry ids a theme covers (a sector its industries), or None for every industry."""
    chosen = {i.pk for i in theme.industries.all()}
    return reference.with_descendants(chosen) if chosen else None


def _enterprises(theme: RiskTheme, industries: set[int] | None) -> QuerySet:
    found = Enterprise.objects.filter(region__path__startswith=theme.region_path,
                                      operating_state=OperatingState.OPERATING)  # fmt: skip
    return found.filter(industry_id__in=sorted(industries)) if industries is not None else found


def _insert_confirmations(theme: RiskTheme, industries: set[int] | None) -> int:
    """One row per enterprise in scope, in one INSERT … SELECT (no enterprise passes through Python)."""
    select, params = (
        _enterprises(theme, industries).order_by().values_list("id", "region__path", "industry_id").query
    ).sql_with_params()
    table = connection.ops.quote_name(ThemeConfirmation._meta.db_table)
    sql = (f"INSERT INTO {table} (enterprise_id, region_path, industry_id, theme_id, note) "  # noqa: S608
           f"SELECT e.*, %s, %s FROM ({select}) e")  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(sql, (theme.pk, "", *params))
        return cursor.rowcount


def publish(actor: User, theme: RiskTheme | int) -> RiskTheme:
    """Publish a draft: a confirmation per operating enterprise in its region subtree and industries (a department's
    theme with none chosen: the industries it supervises), and each one's must-answer notice, due at `confirm_by`.

    1. Lock the theme in scope; the rule (403, 409); `confirm_by` still ahead (400).
    2. A department's theme without industries takes the department's, so what it covers is kept with it.
    3. The confirmations in one statement; none (no operating enterprise there) is a 400 and nothing is written.
    4. The notices through one `Outbox`; the theme published; the audit record."""
    with transaction.atomic():
        theme = _locked_theme(actor, theme)
        check(actor, theme, "publish")
        now = timezone.now()
        if theme.confirm_by <= now:
            raise ValidationError({"confirm_by": _("The time to confirm by has passed; change it first.")})
        reference = Scope.for_user(actor).reference
        if theme.department_id is not None and not theme.industries.exists():
            supervised = reference.supervised_by(theme.department)
            if not supervised:  # none chosen would otherwise mean every industry
                raise ValidationError({"industries": _("Your department supervises no industry.")})
            theme.industries.set(sorted(supervised))
        count = _insert_confirmations(theme, covered_industries(theme, reference))
        if not count:
            raise ValidationError(
                {"non_field_errors": [_("No operating enterprise in this region and these industries.")]}
            )
        theme.status, theme.published_at = ThemeStatus.PUBLISHED, now
        theme.save(update_fields=["status", "published_at"])
        told = _tell_enterprises(theme, now)
        record(actor, "risk_theme.publish", theme, {"enterprises": count, "told": told,
                                                    "confirm_by": theme.confirm_by.isoformat()})  # fmt: skip
    return theme


def notice_words(theme: RiskTheme) -> tuple[str, str]:
    """The notice's title and body, in the default language (notices are stored once for everyone)."""
    with override(settings.LANGUAGE_CODE):
        title = _("Risk theme to confirm: %(title)s") % {"title": theme.title}
        lines = [
            _("%(kind)s, %(start)s to %(end)s.") % {"kind": ThemeKind(theme.kind).label,
                                                    "start": theme.starts_on, "end": theme.ends_on},
            theme.required_controls,
            _("Check these controls and confirm by %(time)s.") % {"time": _local(theme.confirm_by)},
        ]  # fmt: skip
    return one_line(title, TITLE_LENGTH), "\n".join(lines)


def confirm_link(theme: RiskTheme) -> str:
    return f"/risks/themes/{theme.pk}/confirm/"


def _tell_enterprises(theme: RiskTheme, now: datetime) -> int:
    """Each enterprise's principal post holders (the safety manager's where the principal's is vacant) a
    must-answer notice due at `confirm_by`: one query for the holders, the outbox's few to write."""
    holders: dict[int, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    assignments = (
        PositionAssignment.objects.current(now)
        .filter(position__kind__in=(PositionKind.ENTERPRISE_PRINCIPAL, PositionKind.ENTERPRISE_SAFETY_MANAGER),
                position__enterprise_id__in=theme.confirmations.values("enterprise_id"), user__is_active=True)
        .select_related("user", "position")
        .order_by("position_id", "user_id")
    )  # fmt: skip
    for a in assignments:
        holders[a.position.enterprise_id][a.position.kind].append((a.user, a.position))
    title, body = notice_words(theme)
    outbox, link, within = Outbox(now), confirm_link(theme), theme.confirm_by - now
    for enterprise_id, posts in holders.items():
        pairs = posts.get(PositionKind.ENTERPRISE_PRINCIPAL) or posts.get(PositionKind.ENTERPRISE_SAFETY_MANAGER, [])
        for user, position in pairs:
            outbox.add(f"{KIND}:{theme.pk}:{enterprise_id}:{user.pk}", user, position, title=title, body=body,
                       link=link, answer_within=within)  # fmt: skip
    return outbox.flush(False)


def _theme_notices(theme: RiskTheme, enterprise_id: int | None = None) -> QuerySet:
    prefix = f"{KIND}:{theme.pk}:" + (f"{enterprise_id}:" if enterprise_id is not None else "")
    return Notification.objects.filter(key__startswith=prefix)


def withdraw(actor: User, theme: RiskTheme | int, reason: str = "") -> RiskTheme:
    """Withdraw a published theme: nothing more to confirm, and its unanswered notices stop (no pass-up)."""
    reason = (reason or "").strip()
    if len(reason) > NOTE_LENGTH:
        raise ValidationError({"reason": _("At most %(limit)d characters.") % {"limit": NOTE_LENGTH}})
    with transaction.atomic():
        theme = _locked_theme(actor, theme)
        check(actor, theme, "withdraw")
        theme.status = ThemeStatus.WITHDRAWN
        theme.save(update_fields=["status"])
        stopped = (
            _theme_notices(theme)
            .filter(must_answer=True, acknowledged_at__isnull=True, escalated_at__isnull=True)
            .update(must_answer=False)
        )
        record(actor, "risk_theme.withdraw", theme, {"notices_stopped": stopped}, reason=reason)
    return theme


# --- confirm ----------------------------------------------------------------------------------------------------------


def confirm(actor: User, theme: RiskTheme | int, note: str = "") -> ThemeConfirmation:
    """The enterprise's staff confirm they have checked the theme's controls (late is allowed, and recorded so).
    Their notice is answered; the enterprise's other holders' notices, and those already passed up for it, stop."""
    pk = theme if isinstance(theme, int) else theme.pk
    note = (note or "").strip()
    if len(note) > NOTE_LENGTH:
        raise ValidationError({"note": _("At most %(limit)d characters.") % {"limit": NOTE_LENGTH}})
    with transaction.atomic():
        row = (
            ThemeConfirmation.objects.visible_to(actor)
            .select_for_update(of=("self",))
            .select_related("theme")
            .filter(theme_id=pk, enterprise_id=actor.enterprise_id)
            .first()
        )
        if row is None:
            raise Http404
        check(actor, row, "confirm")
        now = timezone.now()
        row.confirmed_at, row.confirmed_by, row.note = now, actor, note
        row.save(update_fields=["confirmed_at", "confirmed_by", "note"])
        _answer_notices(actor, row)
        record(actor, "risk_theme.confirm", row, {"theme": row.theme_id, "note": note,
                                                  "late": now > row.theme.confirm_by})  # fmt: skip
    return row


def _answer_notices(actor: User, row: ThemeConfirmation) -> None:
    notices = list(_theme_notices(row.theme, row.enterprise_id).order_by("pk"))
    for notice in notices:
        if notice.recipient_id == actor.pk and notice.acknowledged_at is None:
            acknowledge(actor, notice)
    pending = Q(must_answer=True, acknowledged_at__isnull=True, escalated_at__isnull=True)
    others = [n.pk for n in notices if n.recipient_id != actor.pk]
    Notification.objects.filter(pending, Q(pk__in=others) | Q(parent__in=[n.pk for n in notices])).update(
        must_answer=False
    )


# --- the pass-up's wording and marks (registered in RisksConfig.ready) ----------------------------------------------


def wording(notice: Notification, label: str) -> dict | None:
    """A theme's notice passed up points at the theme's page, listing the enterprises not confirmed yet; the
    superior has a day to answer it (`RISK_THEME_PASS_UP_HOURS`)."""
    if notice.kind != KIND:
        return None
    theme_id = notice.key.split(":")[1]
    with override(settings.LANGUAGE_CODE):
        body = "\n".join([_("Not confirmed in time by the enterprise."), notice.body])
    return {"title": label, "body": body, "link": f"/risks/themes/{theme_id}/?state=overdue",
            "answer_within": timedelta(hours=settings.RISK_THEME_PASS_UP_HOURS),
            "group": f"{KIND}-{theme_id}"}  # summed per person: one notice for all the theme's enterprises  # fmt: skip


def mark_passed_up(sender, notices: list[Notification], at: datetime, **kwargs) -> None:
    """The confirmations whose notices the pass-up has just sent on, marked escalated in its transaction: one UPDATE
    when the batch holds theme notices, nothing otherwise (`notifications.outbox.notices_passed_up`)."""
    pairs = {tuple(int(part) for part in n.key.split(":")[1:3]) for n in notices if n.kind == KIND}
    if not pairs:
        return
    which = Q(pk__in=[])
    for theme_id, enterprise_id in pairs:
        which |= Q(theme_id=theme_id, enterprise_id=enterprise_id)
    ThemeConfirmation.objects.filter(which, escalated_at__isnull=True, confirmed_at__isnull=True).update(
        escalated_at=at
    )


# --- figures ----------------------------------------------------------------------------------------------------------


@dataclass
class Counts:
    confirmed: int = 0
    pending: int = 0
    overdue: int = 0

    @property
    def total(self) -> int:
        return self.confirmed + self.pending + self.overdue


def counts(actor: User, themes: Iterable[RiskTheme], now: datetime | None = None) -> dict[int, Counts]:
    """Per theme, its confirmations in the actor's scope: confirmed, not yet (before `confirm_by`) and overdue (after
    it, unconfirmed). One grouped query whatever the number of enterprises."""
    now = now or timezone.now()
    themes = {t.pk: t for t in themes}
    found = {pk: Counts() for pk in themes}
    rows = (
        ThemeConfirmation.objects.visible_to(actor)
        .filter(theme_id__in=list(themes))
        .values("theme_id")
        .annotate(done=Count("pk", filter=Q(confirmed_at__isnull=False)), open=Count("pk", filter=Q(confirmed_at=None)))
        .order_by()
    )
    for row in rows:
        late = themes[row["theme_id"]].confirm_by <= now
        found[row["theme_id"]] = Counts(row["done"], 0 if late else row["open"], row["open"] if late else 0)
    return found


@dataclass
class RegionCounts:
    region: Region
    counts: Counts = field(default_factory=Counts)


def counts_by_region(actor: User, theme: RiskTheme, under: Region, now: datetime | None = None) -> list[RegionCounts]:
    """The theme's confirmations in scope under a region, by its child regions (the region's own enterprises in a
    row of its own): two queries, the regions and the counts grouped by region path."""
    now = now or timezone.now()
    late = theme.confirm_by <= now
    rows = {under.path: RegionCounts(under)}
    for child in Region.objects.filter(parent=under).order_by("path"):
        rows[child.path] = RegionCounts(child)
    grouped = (
        ThemeConfirmation.objects.visible_to(actor)
        .filter(theme=theme, region_path__startswith=under.path)
        .values("region_path")
        .annotate(done=Count("pk", filter=Q(confirmed_at__isnull=False)), open=Count("pk", filter=Q(confirmed_at=None)))
        .order_by()
    )
    depth = under.path.count("/")
    for row in grouped:
        key = "/".join(row["region_path"].split("/")[: depth + 1]) + "/" if row["region_path"] != under.path else ""
        entry = rows.get(key) or rows[under.path]
        entry.counts.confirmed += row["done"]
        entry.counts.overdue += row["open"] if late else 0
        entry.counts.pending += 0 if late else row["open"]
    return [r for r in rows.values() if r.counts.total]


# --- holidays, for the checks ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cover:
    """One published holiday theme covering a day: its region subtree and its industries (None: every one)."""

    theme_id: int
    title: str
    region_path: str
    industry_ids: frozenset[int] | None
    starts_on: date
    ends_on: date

    def covers(self, region_path: str, industry_id: int) -> bool:
        industry_ok = self.industry_ids is None or industry_id in self.industry_ids
        return region_path.startswith(self.region_path) and industry_ok


@dataclass(frozen=True)
class HolidayCover:
    """What `holiday_theme_on` answers: the themes, a Q for rows carrying a region path and an industry, and (when
    asked about enterprises) which of them are covered."""

    themes: tuple[Cover, ...]
    enterprise_ids: frozenset[int] | None = None

    def __bool__(self) -> bool:
        return bool(self.themes)

    def covers(self, region_path: str, industry_id: int) -> bool:
        return any(theme.covers(region_path, industry_id) for theme in self.themes)

    def q(self, region: str = "region_path", industry: str = "industry_id") -> Q:
        """Rows (risk points, check tasks, enterprises with `region__path`) under one of the themes."""
        where = Q(pk__in=[])
        for theme in self.themes:
            part = Q(**{f"{region}__startswith": theme.region_path})
            if theme.industry_ids is not None:
                part &= Q(**{f"{industry}__in": sorted(theme.industry_ids)})
            where |= part
        return where


def holiday_theme_on(day: date, enterprise_ids: Iterable[int] | None = None) -> HolidayCover:
    """The published holiday-kind themes whose period covers the day, each with its region path and industries (a
    sector's industries included); with `enterprise_ids`, also which of those enterprises lie under one of them.
    A few queries whatever the data: the themes, their industries, the industry tree (only when a theme names
    industries), the enterprises (only when asked)."""
    themes = list(
        RiskTheme.objects.filter(kind=ThemeKind.HOLIDAY, status=ThemeStatus.PUBLISHED, starts_on__lte=day,
                                 ends_on__gte=day).prefetch_related("industries").order_by("region_path", "pk")
    )  # fmt: skip
    reference = Reference() if any(t.industries.all() for t in themes) else None
    covers = tuple(
        Cover(t.pk, t.title, t.region_path,
              frozenset(covered_industries(t, reference)) if reference and t.industries.all() else None,
              t.starts_on, t.ends_on)
        for t in themes
    )  # fmt: skip
    found = HolidayCover(covers)
    if enterprise_ids is None:
        return found
    ids = list(enterprise_ids)
    if not covers or not ids:
        return HolidayCover(covers, frozenset())
    inside = Enterprise.objects.filter(found.q("region__path", "industry_id"), pk__in=ids).values_list("pk", flat=True)
    return HolidayCover(covers, frozenset(inside))
