"""Watches on enterprises in a watched state (动向掌握, 派人盯守), their visits and the alert a visit raises, and the
resumption check (复产复工验收). See docs/oversight.md, "Watches".

This module is the one writer of `Watch`, `WatchVisit`, `VisitPhoto` and `ResumptionCheck`. Each function locks its
row in the actor's scope (404), checks its rule from `RULES` (403, then 409), validates (400), and writes the rows,
the notices and the audit record in one transaction; `can()` runs the same table for the pages and the API.

- start: an enterprise in a watched state (choices.WATCHED_STATES) without an open watch, by the staff (head, staff,
  inspector) of the department that will watch it, or by the territorial government (leader, duty officer) or the
  city office in scope. `due_at` = start + interval.
- change / end: the watch's department's staff, or the territorial government or city office in scope.
- visit: a watcher, or the watch's department's staff. Idempotent by `key`. `due_at` = the last visit + interval.
  Activity seen (choices.ACTIVITY) where none is allowed (choices.NO_ACTIVITY_STATES) tells the department's head
  and the territorial leader of the enterprise's region, a must-answer notice (`oversight.watch_alert`).
- resume: the supervising department's staff in scope records a check of a suspended enterprise; passed, it
  operates again (organizations.registry.save_enterprise with `resumption=True`) and its open watch ends.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Model, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from audit.models import record
from notifications.outbox import holders, notify
from organizations.choices import OperatingState, PositionKind, UnitKind
from organizations.models import Department, Enterprise, Position, User
from organizations.registry import save_enterprise
from organizations.responsibility import SupervisionMap, territorial_leader_position
from organizations.roles import DEPARTMENT_STAFF, GOVERNMENT_UNITS, holds_in, is_government, member_of
from organizations.scope import Scope, ScopeKind
from safety_platform.lib import bounds, rules
from safety_platform.lib.errors import Conflict
from safety_platform.lib.images import clean_images
from safety_platform.lib.text import one_line

from .choices import ACTIVITY, NO_ACTIVITY_STATES, WATCHED_STATES, Observation
from .models import ResumptionCheck, VisitPhoto, Watch, WatchVisit

KIND = "oversight.watch_alert"  # the alert's notices; keys oversight.watch_alert:<visit>:<user>
REASON_LENGTH = 300
NOTE_LENGTH = 2000
FINDINGS_LENGTH = 5000
MAX_WATCHERS = 20
# Who answers for a territory: its leader and duty officer; the city office's staff everywhere (in scope).
TERRITORIAL = (PositionKind.TERRITORIAL_LEADER, PositionKind.DUTY_OFFICER, PositionKind.CITY_OFFICE_STAFF)


# --- who may do what (403), in which state (409) --------------------------------------------------------------------


def is_department_staff(actor: User, department_id: int | None) -> bool:
    """The head, staff or an inspector of this department (the superuser too)."""
    return member_of(
        actor, (UnitKind.DEPARTMENT,), lambda u: u.department_id == department_id and u.holds(*DEPARTMENT_STAFF)
    )


def is_territorial(actor: User) -> bool:
    """The territorial government (its leader or duty officer) or the city office's staff; the scope (the row was
    found in the actor's scope) says which enterprises."""
    return holds_in(actor, (UnitKind.CITY_OFFICE, UnitKind.GOVERNMENT), *TERRITORIAL)


def _may_start(actor: User, enterprise: Enterprise) -> None:
    if not (is_territorial(actor) or (actor.department_id and is_department_staff(actor, actor.department_id))):
        raise PermissionDenied(_("Only the supervising department's staff or the territorial government start a "
                                 "watch."))  # fmt: skip


def _may_manage(actor: User, watch: Watch) -> None:
    if not (is_territorial(actor) or is_department_staff(actor, watch.department_id)):
        raise PermissionDenied(_("Only the watching department's staff or the territorial government change or end "
                                 "this watch."))  # fmt: skip


def _may_visit(actor: User, watch: Watch) -> None:
    if is_department_staff(actor, watch.department_id):
        return
    if not watch.watchers.filter(pk=actor.pk).exists():
        raise PermissionDenied(_("Only a watcher of this watch or its department's staff record a visit."))


def _may_resume(actor: User, enterprise: Enterprise) -> None:
    if not (actor.department_id and is_department_staff(actor, actor.department_id)) and not actor.is_superuser:
        raise PermissionDenied(_("Only the supervising department's staff record a resumption check."))


def _watched_state(enterprise: Enterprise) -> None:
    if enterprise.operating_state not in WATCHED_STATES:
        raise Conflict(_("This enterprise is %(state)s; a watch is kept on an enterprise that is suspended, closed, "
                         "deregistered, under construction or an oil and gas storage only.")
                       % {"state": enterprise.get_operating_state_display()})  # fmt: skip


def _no_open_watch(enterprise: Enterprise) -> None:
    open_watch = Watch.objects.filter(enterprise_id=enterprise.pk, ended_at__isnull=True).first()
    if open_watch is not None:
        raise Conflict(_("This enterprise is watched already (since %(day)s, by %(department)s); change that watch "
                         "instead.") % {"day": f"{timezone.localdate(open_watch.started_at)}",
                                        "department": open_watch.department.name})  # fmt: skip


def _open(watch: Watch) -> None:
    if watch.ended_at is not None:
        raise Conflict(_("This watch ended on %(day)s.") % {"day": f"{timezone.localdate(watch.ended_at)}"})


def _suspended(enterprise: Enterprise) -> None:
    if enterprise.operating_state != OperatingState.SUSPENDED:
        raise Conflict(_("This enterprise is %(state)s; a resumption check is made of a suspended enterprise only.")
                       % {"state": enterprise.get_operating_state_display()})  # fmt: skip


RULES: dict[str, rules.Rule] = {
    "start": rules.Rule(_may_start, (_watched_state, _no_open_watch), on=Enterprise),
    "resume": rules.Rule(_may_resume, (_suspended,), on=Enterprise),
    "change": rules.Rule(_may_manage, (_open,), on=Watch),
    "end": rules.Rule(_may_manage, (_open,), on=Watch),
    "visit": rules.Rule(_may_visit, (_open,), on=Watch),
}


def check(actor: User, obj: Model, action: str) -> None:
    rules.check(RULES, actor, obj, action)


def can(actor: User, obj: Model) -> set[str]:
    """The actions of `RULES` the actor may take on this enterprise or watch now."""
    if not actor.is_authenticated or Scope.for_user(actor).kind == ScopeKind.NONE:
        return set()
    return rules.allowed(RULES, actor, obj)


# --- what a user sees -----------------------------------------------------------------------------------------------


def visible_watches(actor: User) -> QuerySet:
    if not is_government(actor):
        return Watch.objects.none()
    return Watch.objects.visible_to(actor).select_related("enterprise", "department", "enterprise__region")


def open_watches(actor: User) -> QuerySet:
    """Open watches in scope, overdue first (the earliest due first)."""
    return visible_watches(actor).filter(ended_at__isnull=True).order_by("due_at", "id")


def link(watch: Watch | int) -> str:
    return reverse("watches:detail", args=[watch if isinstance(watch, int) else watch.pk])


def supervising_department(enterprise: Enterprise) -> Department | None:
    return SupervisionMap().resolve(enterprise).department


def department_choices(actor: User, enterprise: Enterprise) -> QuerySet:
    """The departments that may watch this enterprise for this actor: a department's staff watch for their own;
    the government chooses among the departments sitting over the enterprise's region."""
    if actor.department_id and not actor.is_superuser:
        return Department.objects.filter(pk=actor.department_id)
    return Department.objects.filter(region__code__in=enterprise.region.ancestor_codes()).order_by("region__path",
                                                                                                   "name")  # fmt: skip


def watcher_choices(department_id: int, enterprise: Enterprise) -> QuerySet:
    """Who may be a watcher: the active people of the watching department, or of a government over the
    enterprise's region."""
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(unit_kind=UnitKind.DEPARTMENT, department_id=department_id)
            | Q(unit_kind__in=GOVERNMENT_UNITS, region__code__in=enterprise.region.ancestor_codes())
        )
        .order_by("full_name", "username")
    )


# --- the writers ----------------------------------------------------------------------------------------------------


def _enterprise(actor: User, pk: int) -> Enterprise:
    try:
        return Enterprise.objects.visible_to(actor).select_for_update().select_related("region").get(pk=pk)
    except Enterprise.DoesNotExist:
        raise Http404 from None


def _watch(actor: User, pk: int) -> Watch:
    try:
        return Watch.objects.visible_to(actor).select_for_update(of=("self",)).select_related(
            "enterprise__region", "department").get(pk=pk)  # fmt: skip
    except Watch.DoesNotExist:
        raise Http404 from None


def _interval(value) -> int:
    try:
        days = int(value)
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= 365:
        raise ValidationError({"interval_days": _("Visit every 1 to 365 days.")})
    return days


def _watchers(ids, department_id: int, enterprise: Enterprise) -> list[User]:
    ids = {int(getattr(i, "pk", i)) for i in ids or ()}
    if not ids:
        raise ValidationError({"watchers": _("Name at least one watcher.")})
    if len(ids) > MAX_WATCHERS:
        raise ValidationError({"watchers": _("At most %(n)d watchers.") % {"n": MAX_WATCHERS}})
    found = list(watcher_choices(department_id, enterprise).filter(pk__in=ids))
    if len(found) != len(ids):
        raise ValidationError({"watchers": _("A watcher is one of the watching department's people or of the "
                                             "territorial government.")})  # fmt: skip
    return found


def _department(actor: User, enterprise: Enterprise, department_id) -> Department:
    choices = department_choices(actor, enterprise)
    if department_id in (None, ""):
        if actor.department_id and not actor.is_superuser:
            return choices.get()
        department = supervising_department(enterprise)
        if department is None:
            raise ValidationError({"department": _("Choose the department that watches this enterprise.")})
        return department
    department = choices.filter(pk=getattr(department_id, "pk", department_id)).first()
    if department is None:
        raise ValidationError({"department": _("Choose a department over this enterprise's region.")})
    return department


def start(actor: User, enterprise_id: int, department_id=None, watchers=(), interval_days=None,
          reason: str = "", started_at: datetime | None = None) -> Watch:  # fmt: skip
    """Start watching an enterprise in a watched state: one open watch per enterprise (409 otherwise). `started_at`
    back-dates a watch that began before it was recorded (not in the future)."""
    reason = (reason or "").strip()
    if len(reason) > REASON_LENGTH:
        raise ValidationError({"reason": _("At most %(n)d characters.") % {"n": REASON_LENGTH}})
    days = _interval(interval_days if interval_days not in (None, "") else settings.OVERSIGHT_WATCH_INTERVAL_DAYS)
    now = bounds.check_past(started_at, "started_at", _("The start")) if started_at else timezone.now()
    try:
        with transaction.atomic():
            enterprise = _enterprise(actor, enterprise_id)
            check(actor, enterprise, "start")
            department = _department(actor, enterprise, department_id)
            people = _watchers(watchers, department.pk, enterprise)
            watch = Watch.objects.create(enterprise=enterprise, department=department, interval_days=days,
                                         reason=reason, started_by=actor, started_at=now,
                                         due_at=now + timedelta(days=days))  # fmt: skip
            watch.watchers.set(people)
            record(actor, "watch.start", watch, {"department": department.name, "interval_days": days,
                                                 "watchers": sorted(u.pk for u in people)}, reason)  # fmt: skip
            return watch
    except IntegrityError:  # a second start raced this one past the guard
        raise Conflict(_("This enterprise is watched already; change that watch instead.")) from None


def _last_visit(watch: Watch) -> datetime | None:
    return watch.visits.aggregate(last=Max("visited_at"))["last"]


def _due(watch: Watch) -> datetime:
    return (_last_visit(watch) or watch.started_at) + timedelta(days=watch.interval_days)


def change(actor: User, pk: int, watchers=None, interval_days=None, reason: str = "") -> Watch:
    """New watchers or interval (None leaves it as it is); `due_at` follows from the last visit, or the start."""
    with transaction.atomic():
        watch = _watch(actor, pk)
        check(actor, watch, "change")
        changes: dict = {}
        if interval_days not in (None, ""):
            days = _interval(interval_days)
            if days != watch.interval_days:
                changes["interval_days"] = [watch.interval_days, days]
                watch.interval_days = days
        if watchers is not None:
            people = _watchers(watchers, watch.department_id, watch.enterprise)
            before = sorted(watch.watchers.values_list("pk", flat=True))
            after = sorted(u.pk for u in people)
            if before != after:
                changes["watchers"] = [before, after]
                watch.watchers.set(people)
        if not changes:
            return watch
        due = _due(watch)
        if due != watch.due_at:
            changes["due_at"] = [f"{watch.due_at:%Y-%m-%d %H:%M}", f"{due:%Y-%m-%d %H:%M}"]
        watch.due_at = due
        watch.save(update_fields=["interval_days", "due_at"])
        record(actor, "watch.change", watch, changes, (reason or "").strip()[:REASON_LENGTH])
        return watch


def end(actor: User, pk: int, reason: str = "") -> Watch:
    """End a watch (the enterprise back in operation, closed for good, or watched no longer): a reason is needed."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason.")})
    with transaction.atomic():
        watch = _watch(actor, pk)
        check(actor, watch, "end")
        _close(actor, watch, reason[:REASON_LENGTH])
        return watch


def _close(actor: User, watch: Watch, reason: str) -> None:
    watch.ended_at, watch.ended_by = timezone.now(), actor
    watch.save(update_fields=["ended_at", "ended_by"])
    record(actor, "watch.end", watch, {}, reason)


def _observations(values) -> list[str]:
    if isinstance(values, str):
        values = [values]
    chosen = list(dict.fromkeys(str(v) for v in values or ()))
    unknown = [v for v in chosen if v not in Observation.values]
    if unknown:
        raise ValidationError({"observations": _("Unknown observation: %(values)s.") % {"values": ", ".join(unknown)}})
    if not chosen:
        raise ValidationError({"observations": _("Say what you saw.")})
    return [v for v in Observation.values if v in chosen]  # in the choices' order


def _key(key) -> uuid.UUID | None:
    if key in (None, ""):
        return None
    try:
        return key if isinstance(key, uuid.UUID) else uuid.UUID(str(key))
    except ValueError:
        raise ValidationError({"key": _("Not a valid key.")}) from None


def _earlier(actor: User, watch_id: int, key: uuid.UUID | None) -> WatchVisit | None:
    if key is None:
        return None
    earlier = WatchVisit.objects.filter(key=key).first()
    if earlier is not None and (earlier.watch_id != watch_id or earlier.visitor_id != actor.pk):
        raise Conflict(_("This key was used for another visit."))
    if earlier is not None:
        earlier.repeated = True
    return earlier


def visit(actor: User, watch_id: int, observations=(), note: str = "", photos=(), visited_at: datetime | None = None,
          key=None) -> WatchVisit:  # fmt: skip
    """Record a visit: what was seen, a note, photos. A repeat with the same `key` returns the first visit (its
    `repeated` is True) and writes nothing. Activity where none is allowed tells the department's head and the
    territorial leader, to be answered within OVERSIGHT_WATCH_ALERT_HOURS."""
    key = _key(key)
    earlier = _earlier(actor, watch_id, key)
    if earlier is not None:
        return earlier
    chosen = _observations(observations)
    note = (note or "").strip()
    if len(note) > NOTE_LENGTH:
        raise ValidationError({"note": _("At most %(n)d characters.") % {"n": NOTE_LENGTH}})
    when = bounds.check_past(visited_at, "visited_at", _("The time visited")) if visited_at else timezone.now()
    images = clean_images(photos)  # every photo checked before anything is written
    stored: list[VisitPhoto] = []
    try:
        with transaction.atomic():
            watch = _watch(actor, watch_id)
            check(actor, watch, "visit")
            enterprise = watch.enterprise
            if when < watch.started_at:
                raise ValidationError({"visited_at": _("A visit cannot be before the watch started (%(day)s).")
                                       % {"day": f"{timezone.localdate(watch.started_at)}"}})  # fmt: skip
            activity = any(v in ACTIVITY for v in chosen)
            row = WatchVisit.objects.create(watch=watch, enterprise=enterprise, visitor=actor, visited_at=when,
                                            observations=chosen, activity_found=activity, note=note,
                                            key=key)  # fmt: skip
            for image in images:
                photo = VisitPhoto(visit=row, uploaded_by=actor)
                photo.store(image)
                stored.append(photo)
            watch.due_at = _due(watch)
            watch.save(update_fields=["due_at"])
            alerted = _alert(row, watch) if activity and enterprise.operating_state in NO_ACTIVITY_STATES else 0
            record(actor, "watch.visit", row, {"observations": chosen, "photos": len(stored),
                                               "activity_found": activity, "alerted": alerted})  # fmt: skip
            row.repeated = False
            return row
    except IntegrityError:
        for photo in stored:
            photo.discard()
        again = _earlier(actor, watch_id, key)
        if again is not None:
            return again
        raise
    except Exception:
        for photo in stored:
            photo.discard()
        raise


def alert_positions(watch: Watch) -> list[Position]:
    """The watching department's head post and the territorial leader's post of the enterprise's region."""
    head = Position.objects.filter(kind=PositionKind.DEPARTMENT_HEAD, department_id=watch.department_id).order_by(
        "id").first()  # fmt: skip
    leader = territorial_leader_position(watch.enterprise.region)
    return [p for p in (head, leader) if p is not None]


def _alert(row: WatchVisit, watch: Watch) -> int:
    enterprise = watch.enterprise
    with override(settings.LANGUAGE_CODE):
        title = one_line(_("Activity found at %(name)s (%(state)s)") % {
            "name": enterprise.name, "state": enterprise.get_operating_state_display()}, 200)  # fmt: skip
        seen = "、".join(str(Observation(v).label) for v in row.observations)
        lines = [
            _("A watch visit on %(time)s by %(visitor)s saw: %(seen)s.") % {
                "time": f"{timezone.localtime(row.visited_at):%Y-%m-%d %H:%M}", "visitor": row.visitor, "seen": seen},
            _("%(name)s is %(state)s: no activity is allowed. Answer, and have it stopped.") % {
                "name": enterprise.name, "state": enterprise.get_operating_state_display()},
        ]  # fmt: skip
        if row.note:
            lines.append(row.note)
    recipients = [pair for position in alert_positions(watch) for pair in holders(position)]
    written = notify(recipients, f"{KIND}:{row.pk}", title, "\n".join(lines), link(watch),
                     answer_within=timedelta(hours=settings.OVERSIGHT_WATCH_ALERT_HOURS))  # fmt: skip
    return len(written)


def resume(actor: User, enterprise_id: int, passed: bool, findings: str) -> ResumptionCheck:
    """Record a resumption check of a suspended enterprise. Passed: it operates again (the registry's writer, with
    `resumption=True`) and its open watch ends; not passed: it stays suspended."""
    findings = (findings or "").strip()
    if not findings:
        raise ValidationError({"findings": _("Say what the check found.")})
    if len(findings) > FINDINGS_LENGTH:
        raise ValidationError({"findings": _("At most %(n)d characters.") % {"n": FINDINGS_LENGTH}})
    with transaction.atomic():
        enterprise = _enterprise(actor, enterprise_id)
        check(actor, enterprise, "resume")
        department = Department.objects.filter(pk=actor.department_id).first() or supervising_department(enterprise)
        if department is None:
            raise ValidationError({"department": _("This enterprise has no supervising department.")})
        row = ResumptionCheck.objects.create(enterprise=enterprise, department=department, passed=bool(passed),
                                             findings=findings, checked_by=actor)  # fmt: skip
        record(actor, "resumption.check", row, {"passed": bool(passed)}, one_line(findings, REASON_LENGTH))
        if passed:
            enterprise.operating_state = OperatingState.OPERATING
            save_enterprise(actor, enterprise, _("Resumption check passed"), resumption=True, keeper=False)
            open_watch = Watch.objects.select_for_update().filter(enterprise=enterprise, ended_at__isnull=True).first()
            if open_watch is not None:
                _close(actor, open_watch, _("Resumption check passed"))
        return row
