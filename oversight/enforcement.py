"""Enforcement documents (行政执法文书) and Art. 113 of the Work Safety Law (提请关闭). See docs/oversight.md,
"Enforcement".

This module is the one writer of `EnforcementAction` and `ActionCounter`.

- `issue(actor, enterprise_id, kind, **values)`: the supervising department's head or staff (the enterprise in its
  scope), or the city office's staff, issues a document of a kind: an order to rectify by a deadline (a date, or
  `working_days` from today), a penalty (an amount), a suspension order (a period of at most
  `OVERSIGHT_SUSPENSION_MAX_MONTHS` months; the enterprise becomes suspended in the same transaction), a closure
  proposal, a referral. Facts and legal basis are required; a hazard and an illegal operation of the enterprise may
  be named. Numbered per kind and year from the locked counter: 责改〔2026〕3号.
- A penalty that brings the enterprise to Art. 113 (`OVERSIGHT_ART113_SHORT` penalties within its days, or
  `OVERSIGHT_ART113_LONG` within its days, while a major hazard of the enterprise is open) proposes its closure in
  the same transaction (one open proposal per enterprise), and tells the supervising department's head and the
  territorial leader of the enterprise's region with a must-answer notice (kind `oversight.article_113`).
- `set_state(actor, pk, state, reason)`: carried out (done) or revoked, by the issuing department or the city office.
- `article_113(enterprise, now)`: the computed status shown on the enterprise's supervision page.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, Model, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from audit.models import record
from hazards.choices import OPEN_STATUSES, Level
from hazards.models import Hazard
from notifications.outbox import holders, notify
from organizations import registry
from organizations.choices import OperatingState, PositionKind, UnitKind
from organizations.models import Enterprise, Position, User
from organizations.responsibility import SupervisionMap, territorial_leader_position
from organizations.roles import is_city_office_staff, member_of
from organizations.scope import Scope, ScopeKind
from safety_platform.lib import rules
from safety_platform.lib.errors import Conflict
from workdays.calendar import SHANGHAI, deadline_from, local_date

from .choices import ActionKind, ActionState
from .models import ActionCounter, EnforcementAction, IllegalOperation

KIND = "oversight.article_113"  # the notice's kind; keys oversight.article_113:<proposal>:<user>
ANSWER_DAYS = 3  # the head and the territorial leader answer an Art. 113 proposal within three days
TEXT_LENGTH = 5000
MAX_AMOUNT = Decimal("9999999999.99")
ARTICLE_113_BASIS = "《中华人民共和国安全生产法》第一百一十三条第（一）项"
# The fields each kind takes besides facts, basis, hazard and illegal operation.
KIND_FIELDS = {
    ActionKind.RECTIFY_ORDER: ("deadline", "working_days"),
    ActionKind.PENALTY: ("amount",),
    ActionKind.SUSPENSION: ("suspended_from", "suspended_until"),
    ActionKind.CLOSURE_PROPOSAL: (),
    ActionKind.REFERRAL: (),
}
NOT_SUSPENDABLE = (OperatingState.DEREGISTERED, OperatingState.CLOSED_MINE)
ISSUING_POSTS = (PositionKind.DEPARTMENT_HEAD, PositionKind.DEPARTMENT_STAFF)


def number(action: EnforcementAction) -> str:
    """The document's number: 责改〔2026〕3号."""
    return action.number


# --- who may do what (403), in which state (409) --------------------------------------------------------------------


def may_issue(actor: User) -> bool:
    """A department's head or staff (for the enterprises in its scope), the city office's staff."""
    return bool(
        is_city_office_staff(actor)
        or member_of(actor, (UnitKind.DEPARTMENT,), lambda u: bool(u.department_id) and u.holds(*ISSUING_POSTS))
    )


def _require_issuer(actor: User, enterprise: Enterprise) -> None:
    if not may_issue(actor):
        raise PermissionDenied(_("Only the supervising department's head or staff, or the city safety office, issue "
                                 "enforcement documents."))  # fmt: skip


def _require_own_department(actor: User, action: EnforcementAction) -> None:
    if is_city_office_staff(actor):
        return
    if not member_of(actor, (UnitKind.DEPARTMENT,),
                     lambda u: u.department_id == action.department_id and u.holds(*ISSUING_POSTS)):  # fmt: skip
        raise PermissionDenied(_("Only the issuing department's head or staff, or the city safety office, change this "
                                 "document."))  # fmt: skip


def _open(action: EnforcementAction) -> None:
    if action.state not in (ActionState.ISSUED, ActionState.PROPOSED):
        raise Conflict(_("This document is %(state)s already.") % {"state": action.get_state_display()})


RULES: dict[str, rules.Rule] = {
    "issue": rules.Rule(_require_issuer, on=Enterprise),
    "done": rules.Rule(_require_own_department, (_open,), on=EnforcementAction),
    "revoke": rules.Rule(_require_own_department, (_open,), on=EnforcementAction),
}
STATE_ACTIONS = {ActionState.DONE: "done", ActionState.REVOKED: "revoke"}


def check(actor: User, obj: Model, action: str) -> None:
    """The role (403), then the state (409)."""
    rules.check(RULES, actor, obj, action)


def can(actor: User, obj: Model) -> set[str]:
    if not actor.is_authenticated or Scope.for_user(actor).kind == ScopeKind.NONE:
        return set()
    return rules.allowed(RULES, actor, obj)


# --- what a user sees -----------------------------------------------------------------------------------------------


def visible_actions(actor: User) -> QuerySet:
    return EnforcementAction.objects.visible_to(actor).order_by("-issued_at", "-id")


def link(action: EnforcementAction | int) -> str:
    pk = action if isinstance(action, int) else action.pk
    return f"/oversight/enforcement/{pk}/"


def government_name(enterprise: Enterprise) -> str:
    """The local government a closure is proposed to (提请地方人民政府): that of the nearest region upwards with a
    territorial leader (a county or district, not a street), in Chinese as the document is."""
    position = territorial_leader_position(enterprise.region)
    return f"{(position.region if position else enterprise.region).name}人民政府"


def issuer_name(action: EnforcementAction) -> str:
    """`OVERSIGHT_DOCUMENT_ISSUER`, or the issuing department's name."""
    return settings.OVERSIGHT_DOCUMENT_ISSUER or action.department.name


# --- Art. 113 -------------------------------------------------------------------------------------------------------


def article_113(enterprise: Enterprise, now: datetime | None = None) -> dict:
    """Art. 113 (一) computed: penalties (not revoked) within the short and the long window, whether a major hazard of
    the enterprise is open, whether the condition holds (`due`), and the open proposal if any. Three queries."""
    now = now or timezone.now()
    (short_count, short_days), (long_count, long_days) = settings.OVERSIGHT_ART113_SHORT, settings.OVERSIGHT_ART113_LONG
    penalties = EnforcementAction.objects.filter(enterprise_id=enterprise.pk, kind=ActionKind.PENALTY,
                                                 issued_at__lte=now).exclude(state=ActionState.REVOKED)  # fmt: skip
    counts = penalties.aggregate(
        short=Count("id", filter=Q(issued_at__gte=now - timedelta(days=short_days))),
        long=Count("id", filter=Q(issued_at__gte=now - timedelta(days=long_days))),
    )
    major = Hazard.objects.filter(enterprise_id=enterprise.pk, level=Level.MAJOR, status__in=OPEN_STATUSES).exists()
    proposal = EnforcementAction.objects.filter(enterprise_id=enterprise.pk, by_article_113=True,
                                                state=ActionState.PROPOSED).first()  # fmt: skip
    short_met, long_met = counts["short"] >= short_count, counts["long"] >= long_count
    return {
        "short": counts["short"], "short_count": short_count, "short_days": short_days, "short_met": short_met,
        "long": counts["long"], "long_count": long_count, "long_days": long_days, "long_met": long_met,
        "major_hazard": major, "due": major and (short_met or long_met), "proposal": proposal,
    }  # fmt: skip


# --- issuing --------------------------------------------------------------------------------------------------------


def next_serial(kind: str, year: int) -> int:
    """The kind's next serial in the year: the counter row locked (`select_for_update`), made when missing (a row made
    by two at once is caught by its unique kind and year and read again locked)."""
    counter = ActionCounter.objects.select_for_update().filter(kind=kind, year=year).first()
    if counter is None:
        try:
            with transaction.atomic():
                counter = ActionCounter.objects.create(kind=kind, year=year, last=0)
        except IntegrityError:  # another issuer made it first: wait for its lock
            counter = ActionCounter.objects.select_for_update().get(kind=kind, year=year)
        else:
            counter = ActionCounter.objects.select_for_update().get(pk=counter.pk)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day where it has fewer days)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _date(value, field: str, errors: dict) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return local_date(value)
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        errors[field] = _("Enter a valid date.")
        return None


def _text(values: dict, field: str, errors: dict) -> str:
    text = str(values.get(field) or "").strip()
    if not text:
        errors[field] = _("This field is required.")
    elif len(text) > TEXT_LENGTH:
        errors[field] = _("At most %(limit)d characters.") % {"limit": TEXT_LENGTH}
    return text


def _clean(actor: User, enterprise: Enterprise, kind: str, values: dict, now: datetime) -> dict:
    """The document's fields from `values` (400 with field errors): only those of its kind are kept."""
    if kind not in ActionKind.values:
        raise ValidationError({"kind": _("Choose a kind of document.")})
    unknown = set(values) - {"facts", "basis", "hazard", "illegal_operation", *KIND_FIELDS[kind]}
    if unknown:
        raise ValidationError(_("Not a field of this kind of document: %(fields)s.")
                              % {"fields": ", ".join(sorted(unknown))})  # fmt: skip
    errors: dict[str, str] = {}
    cleaned = {"facts": _text(values, "facts", errors), "basis": _text(values, "basis", errors)}
    today = timezone.localdate(now, SHANGHAI)
    if kind == ActionKind.RECTIFY_ORDER:
        deadline, days = _date(values.get("deadline"), "deadline", errors), values.get("working_days")
        if days not in (None, ""):
            try:
                days = int(days)
            except (TypeError, ValueError):
                days = 0
            if days < 1 or days > 365:
                errors["working_days"] = _("Between 1 and 365 working days.")
                days = None
        if deadline and days:
            errors["deadline"] = _("Give a deadline or a number of working days, not both.")
        elif days:
            deadline = local_date(deadline_from(None, days, now))
        if deadline is None and not errors.get("deadline") and "working_days" not in errors:
            errors["deadline"] = _("A rectification deadline is required.")
        elif deadline is not None and deadline <= today:
            errors["deadline"] = _("The deadline must be after today.")
        cleaned["deadline"] = deadline
    elif kind == ActionKind.PENALTY:
        try:
            amount = Decimal(str(values.get("amount"))).quantize(Decimal("0.01"))
        except (InvalidOperation, TypeError, ValueError):
            amount = None
        if amount is None or not amount.is_finite():
            errors["amount"] = _("The penalty's amount is required.")
        elif amount <= 0:
            errors["amount"] = _("The amount must be more than zero.")
        elif amount > MAX_AMOUNT:
            errors["amount"] = _("The amount is too large.")
        cleaned["amount"] = amount
    elif kind == ActionKind.SUSPENSION:
        start = _date(values.get("suspended_from"), "suspended_from", errors)
        until = _date(values.get("suspended_until"), "suspended_until", errors)
        for field, value in (("suspended_from", start), ("suspended_until", until)):
            if value is None and field not in errors:
                errors[field] = _("This field is required.")
        if start and until:
            longest = add_months(start, settings.OVERSIGHT_SUSPENSION_MAX_MONTHS)
            if until < start:
                errors["suspended_until"] = _("The suspension ends before it begins.")
            elif until > longest:
                errors["suspended_until"] = _(
                    "A suspension order lasts at most %(months)d months: from %(start)s until %(end)s at the latest."
                ) % {"months": settings.OVERSIGHT_SUSPENSION_MAX_MONTHS, "start": start, "end": longest}
        cleaned["suspended_from"], cleaned["suspended_until"] = start, until
    hazard = values.get("hazard")
    if hazard not in (None, ""):
        found = (Hazard.objects.visible_to(actor).filter(pk=getattr(hazard, "pk", hazard), enterprise_id=enterprise.pk)
                 .first())  # fmt: skip
        if found is None:
            errors["hazard"] = _("Choose a hazard of this enterprise in your scope.")
        cleaned["hazard"] = found
    illegal = values.get("illegal_operation")
    if illegal not in (None, ""):
        found = (IllegalOperation.objects.visible_to(actor).filter(pk=getattr(illegal, "pk", illegal))
                 .filter(Q(enterprise_id=enterprise.pk) | Q(enterprise__isnull=True)).first())  # fmt: skip
        if found is None:
            errors["illegal_operation"] = _("Choose an illegal operation of this enterprise in your scope.")
        cleaned["illegal_operation"] = found
    if errors:
        raise ValidationError(errors)
    return cleaned


def _department(actor: User, enterprise: Enterprise):
    """The issuing department: the actor's own; for the city office the enterprise's supervising department."""
    if actor.unit_kind == UnitKind.DEPARTMENT and actor.department_id:
        return actor.department
    department = SupervisionMap().resolve(enterprise).department
    if department is None:
        raise ValidationError(_("This enterprise has no supervising department to issue the document in the name of."))
    return department


def _locked_enterprise(actor: User, enterprise_id) -> Enterprise:
    pk = getattr(enterprise_id, "pk", enterprise_id)
    found = (Enterprise.objects.visible_to(actor).select_for_update(of=("self",)).select_related("region", "industry")
             .filter(pk=pk).first())  # fmt: skip
    if found is None:
        raise Http404
    return found


def issue(actor: User, enterprise_id, kind: str, **values) -> EnforcementAction:
    """Issue an enforcement document.

    1. Lock the enterprise in scope (404); the rule: a department's head or staff, the city office (403).
    2. Facts, basis and the kind's fields (400).
    3. The kind's and year's next number from the locked counter; the document written; a suspension order suspends
       the enterprise (organizations.registry); the audit record.
    4. A penalty that meets Art. 113 proposes the closure and tells the head and the territorial leader.
    All in one transaction."""
    with transaction.atomic():
        enterprise = _locked_enterprise(actor, enterprise_id)
        check(actor, enterprise, "issue")
        if kind == ActionKind.SUSPENSION and enterprise.operating_state in NOT_SUSPENDABLE:
            raise Conflict(_("This enterprise is %(state)s: there is nothing to suspend.")
                           % {"state": enterprise.get_operating_state_display()})  # fmt: skip
        now = timezone.now()
        cleaned = _clean(actor, enterprise, kind, values, now)
        department = _department(actor, enterprise)
        year = timezone.localtime(now, SHANGHAI).year
        state = ActionState.PROPOSED if kind == ActionKind.CLOSURE_PROPOSAL else ActionState.ISSUED
        action = EnforcementAction.objects.create(
            kind=kind, state=state, enterprise=enterprise, department=department, year=year,
            serial=next_serial(kind, year), issued_by=actor, issued_at=now, **cleaned,
        )  # fmt: skip
        record(actor, "enforcement.issue", action, _changes(action))
        if kind == ActionKind.SUSPENSION and enterprise.operating_state != OperatingState.SUSPENDED:
            enterprise.operating_state = OperatingState.SUSPENDED
            with override(settings.LANGUAGE_CODE):
                reason = _("Suspension order %(number)s") % {"number": number(action)}
            registry.save_enterprise(actor, enterprise, reason, keeper=False)
        if kind == ActionKind.PENALTY:
            propose_if_due(actor, enterprise, action, now)
    return action


def _changes(action: EnforcementAction) -> dict:
    changes = {"number": number(action), "kind": action.kind, "enterprise": action.enterprise_id,
               "department": action.department_id}  # fmt: skip
    for field in ("deadline", "amount", "suspended_from", "suspended_until"):
        value = getattr(action, field)
        if value is not None:
            changes[field] = str(value)
    return changes


def propose_if_due(actor: User, enterprise: Enterprise, penalty: EnforcementAction, now: datetime):
    """Art. 113 (一): when the condition holds and no proposal is open, propose the closure (by_article_113) and tell
    the supervising department's head and the territorial leader (must answer). Returns the proposal or None."""
    status = article_113(enterprise, now)
    if not status["due"] or status["proposal"] is not None:
        return None
    year = penalty.year
    days, count = ((status["short_days"], status["short"]) if status["short_met"]
                   else (status["long_days"], status["long"]))  # fmt: skip
    numbers = [number(p) for p in EnforcementAction.objects.filter(
        enterprise_id=enterprise.pk, kind=ActionKind.PENALTY, issued_at__gte=now - timedelta(days=days),
        issued_at__lte=now).exclude(state=ActionState.REVOKED).order_by("issued_at", "id")]  # fmt: skip
    facts = f"{enterprise.name}存在未消除的重大事故隐患，{days}日内受到行政处罚{count}次（{'、'.join(numbers)}）。"
    proposal = EnforcementAction.objects.create(
        kind=ActionKind.CLOSURE_PROPOSAL, state=ActionState.PROPOSED, by_article_113=True, enterprise=enterprise,
        department=penalty.department, year=year, serial=next_serial(ActionKind.CLOSURE_PROPOSAL, year),
        facts=facts, basis=ARTICLE_113_BASIS, issued_by=actor, issued_at=now,
    )  # fmt: skip
    told = _tell(proposal, enterprise, penalty)
    record(actor, "enforcement.propose", proposal, {**_changes(proposal), "penalties": numbers, "told": told})
    return proposal


def sweep_article_113(now: datetime | None = None) -> int:
    """Beat, daily: Art. 113 also holds when the major hazard is found after the penalties. One grouped query finds the
    enterprises whose penalties meet either window, with a major hazard open and no proposal open; each is proposed
    as a penalty would have (`propose_if_due`, by the system), its row locked, in its own transaction. Returns how
    many were proposed."""
    now = now or timezone.now()
    (short_count, short_days), (long_count, long_days) = settings.OVERSIGHT_ART113_SHORT, settings.OVERSIGHT_ART113_LONG
    penalised = (
        EnforcementAction.objects.filter(kind=ActionKind.PENALTY, issued_at__lte=now, issued_at__gte=now - timedelta(
            days=max(short_days, long_days)))
        .exclude(state=ActionState.REVOKED)
        .values("enterprise_id")
        .annotate(short=Count("id", filter=Q(issued_at__gte=now - timedelta(days=short_days))), long=Count("id"))
        .filter(Q(short__gte=short_count) | Q(long__gte=long_count))
        .values("enterprise_id")
    )  # fmt: skip
    major = Hazard.objects.filter(enterprise=OuterRef("pk"), level=Level.MAJOR, status__in=OPEN_STATUSES)
    proposed = EnforcementAction.objects.filter(enterprise=OuterRef("pk"), by_article_113=True,
                                                state=ActionState.PROPOSED)  # fmt: skip
    due = Enterprise.objects.filter(pk__in=penalised).filter(Exists(major)).exclude(Exists(proposed))
    made = 0
    for enterprise_id in due.values_list("pk", flat=True):
        with transaction.atomic():
            enterprise = Enterprise.objects.select_for_update().get(pk=enterprise_id)
            penalties = EnforcementAction.objects.filter(
                enterprise=enterprise, kind=ActionKind.PENALTY, issued_at__lte=now
            )
            latest = penalties.exclude(state=ActionState.REVOKED).order_by("-issued_at", "-id").first()
            made += propose_if_due(None, enterprise, latest, now) is not None
    return made


def _tell(proposal: EnforcementAction, enterprise: Enterprise, penalty: EnforcementAction) -> int:
    """The must-answer notice to the heads of the supervising and the issuing department and the territorial
    leader of the enterprise's region."""
    departments = {penalty.department_id}
    supervising = SupervisionMap().resolve(enterprise).department
    if supervising is not None:
        departments.add(supervising.pk)
    pairs = []
    for position in Position.objects.filter(kind=PositionKind.DEPARTMENT_HEAD, department_id__in=departments):
        pairs += holders(position)
    pairs += holders(territorial_leader_position(enterprise.region))
    with override(settings.LANGUAGE_CODE):
        title = _("Art. 113: closure proposed for %(name)s") % {"name": enterprise.name}
        body = "\n".join([number(proposal), proposal.facts, _("Answer within %(days)d days.") % {"days": ANSWER_DAYS}])
    seen, unique = set(), []
    for user, position in pairs:
        if user.pk not in seen:
            seen.add(user.pk)
            unique.append((user, position))
    notify(unique, f"{KIND}:{proposal.pk}", title, body, link(proposal), answer_within=timedelta(days=ANSWER_DAYS))
    return len(unique)


# --- the document's state -------------------------------------------------------------------------------------------


def set_state(actor: User, pk: int, state: str, reason: str = "") -> EnforcementAction:
    """Carried out (done) or revoked: the issuing department's head or staff or the city office (403), an open
    document (409), a reason (400)."""
    if state not in STATE_ACTIONS:
        raise ValidationError({"state": _("Choose carried out or revoked.")})
    reason = (reason or "").strip()
    with transaction.atomic():
        action = visible_actions(actor).select_for_update(of=("self",)).filter(pk=pk).first()
        if action is None:
            raise Http404
        check(actor, action, STATE_ACTIONS[state])
        if not reason:
            raise ValidationError({"reason": _("Give the reason.")})
        if len(reason) > TEXT_LENGTH:
            raise ValidationError({"reason": _("At most %(limit)d characters.") % {"limit": TEXT_LENGTH}})
        before = action.state
        action.state = state
        action.save(update_fields=["state"])
        record(actor, "enforcement.state", action, {"number": number(action), "state": [before, state]}, reason)
    return action
